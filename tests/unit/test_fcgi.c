/* cgiboxd's FastCGI reader (fcgi.c) and the relay's messages (msg.c). */
#include "daemon.h"
#include "tap.h"

static uint8_t	stream[200000];
static size_t	slen;

static void
rec(int type, int id, const void *c, size_t len, int version, int pad)
{
	uint8_t	*p = stream + slen;

	p[0] = (uint8_t)version;
	p[1] = (uint8_t)type;
	p[2] = (uint8_t)(id >> 8);
	p[3] = (uint8_t)id;
	p[4] = (uint8_t)(len >> 8);
	p[5] = (uint8_t)len;
	p[6] = (uint8_t)pad;
	p[7] = 0;
	if (len > 0)		/* c may be NULL for an empty record */
		memcpy(p + 8, c, len);
	memset(p + 8 + len, 0, (size_t)pad);
	slen += 8 + len + (size_t)pad;
}

static void
begin(int id, int role, int flags)
{
	uint8_t	b[8] = { 0, (uint8_t)role, (uint8_t)flags };

	rec(FCGI_BEGIN_REQUEST, id, b, 8, 1, 0);
}

static void
params(int id, const char *pairs)
{
	uint8_t	b[4096];
	size_t	n = 0;

	/* pairs: "NAME=VALUE\n..." with short names and values */
	for (const char *p = pairs; *p != '\0';) {
		const char	*eq = strchr(p, '='), *nl = strchr(p, '\n');

		b[n++] = (uint8_t)(eq - p);
		b[n++] = (uint8_t)(nl - eq - 1);
		memcpy(b + n, p, (size_t)(eq - p));
		n += (size_t)(eq - p);
		memcpy(b + n, eq + 1, (size_t)(nl - eq - 1));
		n += (size_t)(nl - eq - 1);
		p = nl + 1;
	}
	rec(FCGI_PARAMS, id, b, n, 1, 0);
	rec(FCGI_PARAMS, id, NULL, 0, 1, 0);
}

/* Feed the stream in pieces of cut bytes; the event types, as letters. */
static const char *
events(size_t cut)
{
	static char		out[64];
	static struct fcgi_in	in;
	size_t			pos = 0, o = 0;
	static const char	letter[] = "-BPSEAVURMX";

	fcgi_in_init(&in);
	while (pos < slen && o + 1 < sizeof(out)) {
		size_t		piece = slen - pos < cut ? slen - pos : cut, t = 0;

		while (t < piece) {
			struct fcgi_ev	ev;

			t += fcgi_feed(&in, stream + pos + t, piece - t, &ev);
			if (ev.type == FE_NONE)
				continue;
			if (ev.type == FE_STDIN && o > 0 && out[o - 1] == 'S')
				continue;	/* one letter per stdin run */
			out[o++] = letter[ev.type];
			if (ev.type == FE_STDIN_END)
				fcgi_in_next_request(&in);
			if (ev.type == FE_BAD) {
				out[o] = '\0';
				return out;
			}
		}
		pos += piece;
	}
	out[o] = '\0';
	return out;
}

static void
check(const char *name, const char *want)
{
	static const size_t	cuts[] = { 1, 3, 8, 9, 4096 };

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		const char	*got = events(cuts[i]), *alt = strchr(want, '|');
		bool		 same = strcmp(got, want) == 0 || (alt != NULL &&
		    (strncmp(got, want, (size_t)(alt - want)) == 0 &&
		    strlen(got) == (size_t)(alt - want) ? true :
		    strcmp(got, alt + 1) == 0));

		if (!ok(same, "%s (pieces of %zu)", name, cuts[i]))
			printf("#   got %s, want %s\n", got, want);
	}
	slen = 0;
}

int
main(void)
{
	static char	block[MSG_ENV_MAX];
	static char	*vec[8];
	const char	*why;
	size_t		n;
	uint64_t	cl;
	uint8_t		b[8] = { 0 };

	begin(1, 1, 1);
	params(1, "SCRIPT_FILENAME=/x\nCONTENT_LENGTH=3\n");
	rec(FCGI_STDIN, 1, "abc", 3, 1, 5);
	rec(FCGI_STDIN, 1, NULL, 0, 1, 0);
	check("a request: begin, params, stdin, its end", "BPSE");
	begin(1, 2, 0);
	check("another role", "R");
	begin(1, 1, 0);
	begin(2, 1, 0);
	check("a second request at once", "BM");
	rec(FCGI_GET_VALUES, 0, "\016\0FCGI_MAX_CONNS", 16, 1, 0);
	check("GET_VALUES", "V");
	rec(20, 0, b, 8, 1, 3);
	check("an unknown type", "U");
	begin(1, 1, 0);
	rec(FCGI_ABORT_REQUEST, 1, NULL, 0, 1, 0);
	check("an abort", "BA");
	rec(FCGI_ABORT_REQUEST, 1, NULL, 0, 1, 0);
	check("an abort for no request is skipped", "");
	rec(FCGI_BEGIN_REQUEST, 1, b, 8, 2, 0);
	check("version 2", "X");
	rec(FCGI_BEGIN_REQUEST, 1, b, 5, 1, 0);
	check("a short BEGIN_REQUEST", "X");
	begin(1, 1, 0);
	params(1, "CONTENT_LENGTH=2\n");
	rec(FCGI_STDIN, 1, "abc", 3, 1, 0);
	/* In small pieces the first bytes pass before the excess shows. */
	check("stdin past CONTENT_LENGTH", "BPX|BPSX");
	begin(1, 1, 0);
	params(1, "CONTENT_LENGTH=3\n");
	rec(FCGI_STDIN, 1, "ab", 2, 1, 0);
	rec(FCGI_STDIN, 1, NULL, 0, 1, 0);
	/* In small pieces the first bytes pass before the end shows. */
	check("stdin ended short of CONTENT_LENGTH: refused, not ended",
	    "BPX|BPSX");
	begin(1, 1, 0);
	rec(FCGI_STDIN, 1, "a", 1, 1, 0);
	check("stdin before the params end", "BX");
	begin(1, 1, 0);
	params(1, "CONTENT_LENGTH=x\n");
	check("CONTENT_LENGTH not a number", "BX");
	rec(FCGI_STDOUT, 1, "x", 1, 1, 0);
	check("a record only applications send", "X");
	begin(1, 1, 0);
	params(1, "A=b\n");
	rec(FCGI_STDIN, 2, "zz", 2, 1, 0);
	rec(FCGI_STDIN, 1, NULL, 0, 1, 0);
	check("records of another id are skipped", "BPE");
	begin(1, 1, 0);
	for (int i = 0; i < 3; i++)
		rec(FCGI_PARAMS, 1, stream, 60000, 1, 0);
	check("params past FCGI_PARAMS_MAX", "BX");

	/* The environment block. */
	{
		const uint8_t	p[] = "\017\002SCRIPT_FILENAME/x\002\000A=\003\001"
		    "B-Cx\003\003LEN123";

		n = msg_env_from_params(p, sizeof(p) - 1, block, sizeof(block),
		    &why);
		ok(why == NULL && n > 0, "params become a block");
		ok(msg_env_split(block, n, vec, 8), "which splits");
		is_str(vec[0], "SCRIPT_FILENAME=/x", "first entry");
		is_str(vec[1], "LEN=123", "a name that is no variable is dropped "
		    "(A= and B-C)");
		ok(vec[2] == NULL, "and nothing else");
	}
	{
		const uint8_t	p[] = "\001\003Aa\0b";

		ok(msg_env_from_params(p, sizeof(p) - 1, block, sizeof(block),
		    &why) == 0 && why != NULL && strstr(why, "NUL") != NULL,
		    "a NUL in a value refuses the request");
	}
	{
		const uint8_t	p[] = "\001\011Ashort";

		ok(msg_env_from_params(p, sizeof(p) - 1, block, sizeof(block),
		    &why) == 0 && why != NULL, "a pair longer than the data");
	}
	memcpy(block, "A=1\0B2\0", 7);
	ok(!msg_env_split(block, 7, vec, 8), "an entry without = is refused");
	memcpy(block, "A=1\0B=2", 7);
	ok(!msg_env_split(block, 7, vec, 8), "an entry without its NUL too");
	memcpy(block, "1A=1\0", 5);
	ok(!msg_env_split(block, 5, vec, 8), "and an invalid name");
	{
		const uint8_t	p[] = "\016\002CONTENT_LENGTH12\016\001CONTENT_LENGTH9";

		ok(msg_content_length(p, sizeof(p) - 1, &cl) && cl == 12,
		    "CONTENT_LENGTH: the first wins, as in the environment");
	}
	ok(msg_content_length((const uint8_t *)"", 0, &cl) && cl == 0,
	    "no CONTENT_LENGTH: 0");
	return done_testing();
}
