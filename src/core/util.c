/*
 * Small pure helpers: the reason table, strict number parsing, bounded
 * copies and path components.  No system calls.
 *
 * MUST rules:
 * - Numbers are decimal digits only: no sign, no space, no empty string,
 *   no overflow.  "" is an error, never 0.
 * - A copy that does not fit is an error, never a shorter string.
 * - Containment is decided on whole path components: /srv/www does not
 *   contain /srv/www2.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cgibox.h"

const struct reason_info reason_table[R_COUNT] = {
	[R_ALLOW] = { "ok", 0, 200, "allowed" },
#define REASON(id, name, code, http, desc) [id] = { name, code, http, desc },
	REASON_TABLE
#undef REASON
};

enum reason
fault(struct fault *f, enum reason r, const char *fmt, ...)
{
	va_list	ap;

	f->reason = r;
	va_start(ap, fmt);
	/* va_start is above: a clang-analyzer false positive. */
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
	(void)vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
	return r;
}

/* Decimal, digits only, at most max.  Leading zeros are allowed. */
bool
parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long	v = 0;

	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return false;
		d = (unsigned)(*s - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* A uid or gid: fits in 32 bits and is not (uid_t)-1, which means "none". */
bool
parse_id(const char *s, unsigned long *out)
{
	return parse_ulong(s, 0xfffffffeUL, out);
}

/*
 * A limit value: "unlimited", or a number with an optional K, M, G or T
 * suffix (powers of 1024) when the limit counts bytes.
 */
bool
parse_size(const char *s, bool bytes, unsigned long long *out)
{
	static const struct { char c; unsigned shift; } suffix[] = {
		{ 'K', 10 }, { 'M', 20 }, { 'G', 30 }, { 'T', 40 },
	};
	char		num[32];
	size_t		len;
	unsigned	shift = 0;
	unsigned long	v;

	if (strcmp(s, "unlimited") == 0) {
		*out = RLIM_INFINITY;
		return true;
	}
	len = strlen(s);
	if (len == 0 || len >= sizeof(num))
		return false;
	memcpy(num, s, len + 1);
	if (bytes) {
		for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++)
			if (num[len - 1] == suffix[i].c) {
				shift = suffix[i].shift;
				num[--len] = '\0';
				break;
			}
	}
	if (!parse_ulong(num, (1UL << (62 - shift)), &v))
		return false;
	*out = (unsigned long long)v << shift;
	return true;
}

bool
copy_str(char *dst, size_t size, const char *src)
{
	size_t	len = strlen(src);

	if (len >= size)
		return false;
	memcpy(dst, src, len + 1);
	return true;
}

/* [A-Za-z_][A-Za-z0-9_]* over len bytes. */
bool
valid_env_name(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

/* A user or group name as useradd(8) accepts it; 1 to 32 bytes. */
bool
valid_login_name(const char *s)
{
	size_t	len = strlen(s);

	if (len == 0 || len > 32 || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		    c == '.' || (c == '$' && i == len - 1)))
			return false;
	}
	return true;
}

/*
 * Normalize an absolute path: collapse repeated slashes, drop "."
 * components and a trailing slash.  A ".." component is refused, not
 * resolved: the launcher never interprets one.
 */
enum path_norm
path_normalize(const char *in, char *out, size_t size)
{
	size_t	o = 0;

	if (in[0] != '/')
		return PATH_NORM_EMPTY;
	while (*in != '\0') {
		const char	*end;
		size_t		 len;

		while (*in == '/')
			in++;
		end = strchrnul(in, '/');
		len = (size_t)(end - in);
		if (len == 0 || (len == 1 && in[0] == '.')) {
			in = end;
			continue;
		}
		if (len == 2 && in[0] == '.' && in[1] == '.')
			return PATH_NORM_DOTDOT;
		if (o + 1 + len + 1 > size)
			return PATH_NORM_TOOLONG;
		out[o++] = '/';
		memcpy(out + o, in, len);
		o += len;
		in = end;
	}
	if (o == 0) {
		if (size < 2)
			return PATH_NORM_TOOLONG;
		out[o++] = '/';
	}
	out[o] = '\0';
	return PATH_NORM_OK;
}

/* Is this path already in the form path_normalize() produces? */
bool
path_is_canonical(const char *p)
{
	char	buf[PATH_MAX];

	return path_normalize(p, buf, sizeof(buf)) == PATH_NORM_OK &&
	    strcmp(buf, p) == 0;
}

/*
 * If path is root or lies below it, return the length of root's prefix
 * in path; otherwise 0.  Both are normalized absolute paths.
 */
size_t
path_within(const char *root, const char *path)
{
	size_t	len = strlen(root);

	if (strcmp(root, "/") == 0)
		return 1;
	if (strncmp(root, path, len) != 0)
		return 0;
	if (path[len] != '\0' && path[len] != '/')
		return 0;
	return len;
}

/*
 * Split text (len bytes, not NUL-terminated) into lines for a parser.
 * Each line is handed to fn NUL-terminated, numbered from 1; a line
 * longer than TEXT_MAX_LINE or holding a control character other than
 * tab (CR and NUL included) is handed over as NULL with the reason.
 */
void
text_lines(const char *text, size_t len, line_fn fn, void *ctx)
{
	char		line[TEXT_MAX_LINE + 1], why[64];
	size_t		pos = 0;
	unsigned	n = 0;

	while (pos < len) {
		const char	*nl = memchr(text + pos, '\n', len - pos);
		size_t		 l = nl != NULL ? (size_t)(nl - (text + pos)) :
		    len - pos;
		bool		 bad = false;

		n++;
		if (l > TEXT_MAX_LINE) {
			(void)snprintf(why, sizeof(why), "line longer than %d "
			    "bytes", TEXT_MAX_LINE);
			bad = true;
		}
		for (size_t i = 0; !bad && i < l; i++) {
			unsigned char ch = (unsigned char)text[pos + i];

			if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
				(void)snprintf(why, sizeof(why), "control "
				    "character 0x%02x at column %zu", ch, i + 1);
				bad = true;
			}
		}
		if (bad)
			fn(ctx, n, NULL, why);
		else {
			memcpy(line, text + pos, l);
			line[l] = '\0';
			fn(ctx, n, line, NULL);
		}
		pos += l + (nl != NULL);
	}
}
