/*
 * One audit line: key=value fields, escaped so that no input can forge a
 * line or a field.  Pure: no system calls.
 *
 * MUST rules:
 * - Every byte outside printable ASCII, and the quote and the backslash,
 *   is written as \xNN.  A line therefore never holds a newline, a
 *   carriage return or a terminal escape except the final newline.
 * - A value that is empty or contains a space is quoted.
 * - A value longer than LOG_VALUE_MAX escaped bytes is cut and marked with
 *   "..." (so the line always fits); the fields after it are still written.
 */
#include <stdio.h>
#include <string.h>

#include "cgibox.h"

/*
 * Escape len bytes of s into dst (size bytes); return the bytes written
 * and set *used to the input bytes that fit.
 */
size_t
log_escape(char *dst, size_t size, const char *s, size_t len, size_t *used)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			o = 0, i;

	for (i = 0; i < len; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			if (o + 1 > size)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 4 > size)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	*used = i;
	return o;
}

void
log_begin(struct logline *l)
{
	l->len = 0;
	l->buf[0] = '\0';
}

void
log_field(struct logline *l, const char *key, const char *value)
{
	char	esc[LOG_VALUE_MAX + 4];
	size_t	vlen, n, used, room;
	bool	quote;

	if (value == NULL)
		return;
	vlen = strlen(value);
	n = log_escape(esc, LOG_VALUE_MAX, value, vlen, &used);
	if (used < vlen) {
		/* esc is counted, not NUL-terminated. */
		/* NOLINTNEXTLINE(bugprone-not-null-terminated-result) */
		memcpy(esc + n, "...", 3);
		n += 3;
	}
	quote = n == 0 || memchr(esc, ' ', n) != NULL;
	room = sizeof(l->buf) - l->len;
	/* " key=" + quotes + value + final newline and NUL */
	if (strlen(key) + n + 6 > room)
		return;
	if (l->len > 0)
		l->buf[l->len++] = ' ';
	memcpy(l->buf + l->len, key, strlen(key));
	l->len += strlen(key);
	l->buf[l->len++] = '=';
	if (quote)
		l->buf[l->len++] = '"';
	memcpy(l->buf + l->len, esc, n);
	l->len += n;
	if (quote)
		l->buf[l->len++] = '"';
	l->buf[l->len] = '\0';
}

void
log_end(struct logline *l)
{
	l->buf[l->len++] = '\n';
	l->buf[l->len] = '\0';
}

/*
 * UNIQUE_ID as mod_unique_id makes it: 1 to 64 characters of
 * [A-Za-z0-9@_-].  Anything else is replaced by a generated id.
 */
bool
valid_request_id(const char *s)
{
	size_t	len;

	if (s == NULL)
		return false;
	len = strlen(s);
	return len > 0 && len <= 64 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789@_-") == len;
}

/*
 * The CGI response for a refusal (DESIGN section 7): a status, fixed
 * headers and a body that carries the request id and nothing else.  The
 * reason stays in the log.  Returns the length written to buf.
 */
static const char *
status_line(enum reason r, const char **extra)
{
	*extra = "";
	switch (reason_table[r].http) {
	case 403:
		return "403 Forbidden";
	case 503:
		*extra = "Retry-After: 5\r\n";
		return "503 Service Unavailable";
	default:
		return "500 Internal Server Error";
	}
}

size_t
error_page(enum reason r, const char *request_id, char *buf, size_t size)
{
	const char	*extra, *status = status_line(r, &extra);
	int		 n;

	n = snprintf(buf, size, "Status: %s\r\n%s"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n"
	    "\r\n"
	    "%s\r\n"
	    "request id: %s\r\n", status, extra, status,
	    valid_request_id(request_id) ? request_id : "-");
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

/*
 * The response without a page (error-page no): a FastCGI responder must
 * still answer with a status; the body is empty.
 */
size_t
error_page_status(enum reason r, char *buf, size_t size)
{
	const char	*extra, *status = status_line(r, &extra);
	int		 n;

	n = snprintf(buf, size, "Status: %s\r\n%s"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n\r\n", status, extra);
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

/*
 * One line of a script's standard error, for a web server's error log:
 * "cgibox request_id=ID: TEXT", TEXT escaped as an audit log value is, so
 * the line holds no newline, carriage return or terminal escape, and cut
 * with "..." past STDERR_LINE_MAX escaped bytes.  No newline is added.
 * Whatever a script writes, no line of the server's log starts with it.
 */
size_t
stderr_line(char *out, size_t size, const char *request_id, const char *line,
    size_t len)
{
	char	esc[STDERR_LINE_MAX + 4];
	size_t	n, used;
	int	w;

	n = log_escape(esc, STDERR_LINE_MAX, line, len, &used);
	if (used < len) {
		/* esc is counted, not NUL-terminated. */
		/* NOLINTNEXTLINE(bugprone-not-null-terminated-result) */
		memcpy(esc + n, "...", 3);
		n += 3;
	}
	w = snprintf(out, size, "cgibox request_id=%s: %.*s",
	    valid_request_id(request_id) ? request_id : "-", (int)n, esc);
	if (w < 0)
		return 0;
	return (size_t)w < size ? (size_t)w : size - 1;
}

/*
 * Bytes of a script's standard error, cut into lines: out() gets each
 * line without its newline, and a line longer than the buffer in pieces
 * of the buffer's size, so that no piece waits for a newline that may
 * never come.  err_lines_end() gives out() what is left at the end.
 */
void
err_lines_feed(struct err_lines *l, const char *b, size_t n, err_line_fn out,
    void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		if (b[i] == '\n') {
			out(ctx, l->buf, l->len);
			l->len = 0;
			continue;
		}
		if (l->len == sizeof(l->buf)) {
			out(ctx, l->buf, l->len);
			l->len = 0;
		}
		l->buf[l->len++] = b[i];
	}
}

void
err_lines_end(struct err_lines *l, err_line_fn out, void *ctx)
{
	if (l->len > 0)
		out(ctx, l->buf, l->len);
	l->len = 0;
}
