/* Log escaping and the error page (logfmt.c). */
#include "cgibox.h"
#include "tap.h"

static const struct {
	const char	*name, *value, *want;
} fields[] = {
	{ "plain", "alice", "k=alice" },
	{ "space quotes", "a b", "k=\"a b\"" },
	{ "empty quotes", "", "k=\"\"" },
	{ "newline escaped", "a\nevent=exec", "k=a\\x0aevent=exec" },
	{ "CR escaped", "a\rb", "k=a\\x0db" },
	{ "quote escaped", "a\"b", "k=a\\x22b" },
	{ "backslash escaped", "a\\x0a", "k=a\\x5cx0a" },
	{ "ESC escaped", "\033[2J", "k=\\x1b[2J" },
	{ "DEL escaped", "\177", "k=\\x7f" },
	{ "UTF-8 escaped", "\xc3\xa9", "k=\\xc3\\xa9" },
	{ "invalid UTF-8 escaped", "\xff\xfe", "k=\\xff\\xfe" },
	{ "forged field stays in value", "x reason=ok user=root",
	  "k=\"x reason=ok user=root\"" },
};

/* err_lines output, one stderr_line() per line, each ended by '|'. */
static char	got[8192];
static size_t	ngot;

static void
collect(void *ctx, const char *text, size_t len)
{
	char	line[STDERR_LINE_MAX + 128];
	size_t	n = stderr_line(line, sizeof(line), ctx, text, len);

	if (ngot + n + 2 < sizeof(got)) {
		memcpy(got + ngot, line, n);
		ngot += n;
		got[ngot++] = '|';
		got[ngot] = '\0';
	}
}

static void
lines_tests(void)
{
	static struct err_lines	l;
	char			long_line[STDERR_LINE_MAX + 10];

	ngot = 0;
	got[0] = '\0';
	err_lines_feed(&l, "one\ntw", 6, collect, "id1");
	is_str(got, "cgibox request_id=id1: one|", "a whole line goes at once");
	err_lines_feed(&l, "o\n\n", 3, collect, "id1");
	is_str(got, "cgibox request_id=id1: one|cgibox request_id=id1: two|"
	    "cgibox request_id=id1: |", "a line in two reads, and an empty one");
	ngot = 0;
	err_lines_feed(&l, "2026/12/01 [error] user \"admin\"\rX",
	    strlen("2026/12/01 [error] user \"admin\"\rX"), collect, "id2");
	err_lines_end(&l, collect, "id2");
	is_str(got, "cgibox request_id=id2: 2026/12/01 [error] user "
	    "\\x22admin\\x22\\x0dX|",
	    "the unterminated last line at the end, escaped: no quote, no CR");
	ngot = 0;
	err_lines_end(&l, collect, "id2");
	is_long((long)ngot, 0, "nothing left: nothing more");
	memset(long_line, 'a', sizeof(long_line));
	err_lines_feed(&l, long_line, sizeof(long_line), collect, "id3");
	err_lines_end(&l, collect, "id3");
	ok(strchr(got, '|') != NULL && strchr(strchr(got, '|') + 1, '|') !=
	    NULL, "a line longer than the buffer comes in pieces");
	ok(strncmp(strchr(got, '|') + 1, "cgibox request_id=id3: ", 23) == 0,
	    "each piece with the prefix");
	ngot = 0;
	err_lines_feed(&l, "x\n", 2, collect, "bad id\nevent=exec");
	is_str(got, "cgibox request_id=-: x|", "a malformed request id is not "
	    "echoed");
}

int
main(void)
{
	struct logline	l;
	char		page[512], big[LOG_LINE_MAX * 2];
	size_t		len;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		log_begin(&l);
		log_field(&l, "k", fields[i].value);
		is_str(l.buf, fields[i].want, fields[i].name);
	}
	log_begin(&l);
	log_field(&l, "a", "1");
	log_field(&l, "b", NULL);
	log_field(&l, "c", "2");
	log_end(&l);
	is_str(l.buf, "a=1 c=2\n", "absent fields are left out");

	memset(big, '\n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_begin(&l);
	log_field(&l, "time", "t");
	for (int i = 0; i < 12; i++)
		log_field(&l, "uri", big);
	log_field(&l, "last", "x");
	log_end(&l);
	ok(l.len < LOG_LINE_MAX, "a huge value keeps the line bounded");
	ok(strchr(l.buf, '\n') == l.buf + l.len - 1, "and on one line");
	ok(strstr(l.buf, "...") != NULL, "a cut value is marked");
	ok(strncmp(l.buf, "time=t uri=", 11) == 0, "fields keep their order");

	ok(valid_request_id("WxYz0123@-_"), "mod_unique_id ids are kept");
	ok(!valid_request_id(""), "empty id refused");
	ok(!valid_request_id("a b"), "id with space refused");
	ok(!valid_request_id("a\nb"), "id with newline refused");
	ok(!valid_request_id(NULL), "absent id");

	len = error_page(R_FILE_WRITABLE, "abc123", page, sizeof(page));
	is_long((long)len, (long)strlen(page), "page length");
	is_str(page, "Status: 403 Forbidden\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n\r\n"
	    "403 Forbidden\r\nrequest id: abc123\r\n", "403 page");
	ok(strstr(page, "file-writable") == NULL, "the reason is not shown");
	(void)error_page(R_CONFIG_INVALID, "abc", page, sizeof(page));
	ok(strncmp(page, "Status: 500 Internal Server Error\r\n", 35) == 0,
	    "500 for configuration errors");
	(void)error_page(R_FILE_WRITABLE, "a\r\nLocation: x", page,
	    sizeof(page));
	ok(strstr(page, "Location") == NULL, "a malformed id is not echoed");
	lines_tests();
	return done_testing();
}
