/* Strict numbers, sizes, names and path components (util.c). */
#include <stdint.h>

#include "cgibox.h"
#include "tap.h"

static const struct {
	const char	*in;
	bool		 ok;
	unsigned long	 want;
} ids[] = {
	{ "0", true, 0 },
	{ "1000", true, 1000 },
	{ "0001000", true, 1000 },
	{ "4294967294", true, 4294967294UL },
	{ "4294967295", false, 0 },		/* (uid_t)-1 means "none" */
	{ "99999999999999999999999", false, 0 },
	{ "", false, 0 },			/* empty is not 0 */
	{ "-1", false, 0 },
	{ "+5", false, 0 },
	{ " 5", false, 0 },
	{ "5 ", false, 0 },
	{ "12a", false, 0 },
	{ "0x10", false, 0 },
};

static const struct {
	const char		*in;
	bool			 bytes, ok;
	unsigned long long	 want;
} sizes[] = {
	{ "30", false, true, 30 },
	{ "unlimited", false, true, RLIM_INFINITY },
	{ "1G", true, true, 1ULL << 30 },
	{ "64K", true, true, 64ULL << 10 },
	{ "2M", true, true, 2ULL << 20 },
	{ "1T", true, true, 1ULL << 40 },
	{ "1G", false, false, 0 },		/* no suffix for counts */
	{ "G", true, false, 0 },
	{ "", true, false, 0 },
	{ "1.5G", true, false, 0 },
	{ "99999999999G", true, false, 0 },	/* overflow */
	{ "-1", true, false, 0 },
};

static const struct {
	const char	*in;
	enum path_norm	 r;
	const char	*want;
} norms[] = {
	{ "/srv/www/x.cgi", PATH_NORM_OK, "/srv/www/x.cgi" },
	{ "//srv///www//x.cgi", PATH_NORM_OK, "/srv/www/x.cgi" },
	{ "/srv/./www/./x.cgi", PATH_NORM_OK, "/srv/www/x.cgi" },
	{ "/srv/www/", PATH_NORM_OK, "/srv/www" },
	{ "/", PATH_NORM_OK, "/" },
	{ "///", PATH_NORM_OK, "/" },
	{ "/srv/../etc/passwd", PATH_NORM_DOTDOT, NULL },
	{ "/srv/www/..", PATH_NORM_DOTDOT, NULL },
	{ "/srv/..x/y", PATH_NORM_OK, "/srv/..x/y" },	/* a name, not .. */
	{ "/srv/...", PATH_NORM_OK, "/srv/..." },
	{ "relative/x", PATH_NORM_EMPTY, NULL },
};

static const struct {
	const char	*root, *path;
	size_t		 want;
} within[] = {
	{ "/srv/www", "/srv/www/x.cgi", 8 },
	{ "/srv/www", "/srv/www", 8 },
	{ "/srv/www", "/srv/www2/x.cgi", 0 },	/* not a string prefix test */
	{ "/srv/www", "/srv/ww", 0 },
	{ "/srv/www", "/srv", 0 },
	{ "/srv/www", "/srv/www-old/x", 0 },
	{ "/", "/anything", 1 },
	{ "/home/a/public_html", "/home/a/public_html/cgi-bin/x", 19 },
	{ "/home/a/public_html", "/home/a/public_htmlx/x", 0 },
};

static const struct {
	const char	*in;
	bool		 ok;
} names[] = {
	{ "www-data", true }, { "alice", true }, { "a.b_c-d", true },
	{ "machine$", true }, { "", false }, { "-rf", false },
	{ "a b", false }, { "a/b", false }, { "a\nb", false },
	{ "abcdefghijabcdefghijabcdefghijabc", false },	/* 33 bytes */
};

int
main(void)
{
	char	buf[PATH_MAX], small[4];

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		unsigned long v = 12345;
		bool r = parse_id(ids[i].in, &v);

		ok(r == ids[i].ok && (!r || v == ids[i].want),
		    "parse_id(\"%s\") %s", ids[i].in, ids[i].ok ? "accepts" :
		    "refuses");
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned long long v = 0;
		bool r = parse_size(sizes[i].in, sizes[i].bytes, &v);

		ok(r == sizes[i].ok && (!r || v == sizes[i].want),
		    "parse_size(\"%s\", %s) %s", sizes[i].in,
		    sizes[i].bytes ? "bytes" : "count",
		    sizes[i].ok ? "accepts" : "refuses");
	}
	for (size_t i = 0; i < sizeof(norms) / sizeof(norms[0]); i++) {
		enum path_norm r = path_normalize(norms[i].in, buf, sizeof(buf));

		ok(r == norms[i].r && (r != PATH_NORM_OK ||
		    strcmp(buf, norms[i].want) == 0), "path_normalize(\"%s\")",
		    norms[i].in);
	}
	is_long(path_normalize("/abcdef", small, sizeof(small)),
	    PATH_NORM_TOOLONG, "path_normalize refuses what does not fit");
	for (size_t i = 0; i < sizeof(within) / sizeof(within[0]); i++)
		is_long((long)path_within(within[i].root, within[i].path),
		    (long)within[i].want, within[i].path);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ok(valid_login_name(names[i].in) == names[i].ok,
		    "valid_login_name %s", names[i].ok ? "accepts" : "refuses");
	ok(copy_str(small, sizeof(small), "abc"), "copy_str fits exactly");
	ok(!copy_str(small, sizeof(small), "abcd"), "copy_str refuses to "
	    "truncate");
	ok(valid_env_name("HTTP_X_1", 8), "env name with digits");
	ok(!valid_env_name("1ABC", 4), "env name may not start with a digit");
	ok(!valid_env_name("A-B", 3), "env name may not hold -");
	ok(!valid_env_name("", 0), "empty env name");
	return done_testing();
}
