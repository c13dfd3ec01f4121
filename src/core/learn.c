/*
 * Learn mode's records, without system calls: what a call refused by a
 * user's policy looked like, how often it came, when, from which scripts.
 * The request's init collects them (learn_run.c) and merges them into
 * the user's store; cgibox-check learn reads the store and writes a
 * policy from it.
 *
 * MUST rules:
 * - A record holds only what the kernel reported (the call, the arguments
 *   the policy language can judge it by) and what cgibox knows (policy,
 *   mode, script, times): never text from the script.
 * - Each record is one line of key=value fields as the audit log writes
 *   them (logfmt.c): a script name with a newline, a quote or a space in
 *   it stays inside its value.  A line that does not parse whole is
 *   skipped, never half taken.
 * - A set holds at most LEARN_MAX_RECORDS records; past that, new ones are
 *   counted as dropped and the set says it is full.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cgibox.h"

/*
 * The arguments worth recording per call: those the shipped policies and
 * the policy language's constants judge (families, types, protocols,
 * flags, options, requests).  Other calls are recorded by name alone.
 */
static const struct {
	const char	*call;
	unsigned	 n;
	uint8_t		 idx[LEARN_ARGS];
} arg_table[] = {
	{ "socket", 3, { 0, 1, 2 } },
	{ "socketpair", 3, { 0, 1, 2 } },
	{ "clone", 1, { 0, 0, 0 } },
	{ "unshare", 1, { 0, 0, 0 } },
	{ "prctl", 1, { 0, 0, 0 } },
	{ "ioctl", 1, { 1, 0, 0 } },
	{ "fcntl", 1, { 1, 0, 0 } },
	{ "personality", 1, { 0, 0, 0 } },
	{ "setsockopt", 2, { 1, 2, 0 } },
	{ "getsockopt", 2, { 1, 2, 0 } },
	{ "kill", 1, { 1, 0, 0 } },
	{ "tgkill", 1, { 2, 0, 0 } },
	{ "madvise", 1, { 2, 0, 0 } },
	{ "mprotect", 1, { 2, 0, 0 } },
};

/* Which arguments of call to record: their indexes in idx, their count. */
unsigned
learn_args_of(const char *call, uint8_t *idx)
{
	for (size_t i = 0; i < sizeof(arg_table) / sizeof(arg_table[0]); i++)
		if (strcmp(arg_table[i].call, call) == 0) {
			memcpy(idx, arg_table[i].idx, LEARN_ARGS);
			return arg_table[i].n;
		}
	return 0;
}

/*
 * The bits of argument arg of call that a learned rule tests: a socket's
 * type without SOCK_NONBLOCK and SOCK_CLOEXEC (SOCK_TYPE_MASK, as the
 * shipped policies test it), every bit of anything else.  Records keep
 * the masked value, so that one rule serves both flags.
 */
uint64_t
learn_arg_mask(const char *call, unsigned arg)
{
	if (arg == 1 && (strcmp(call, "socket") == 0 ||
	    strcmp(call, "socketpair") == 0))
		return 0xf;
	return ~(uint64_t)0;
}

/*
 * What learning never lets through, whatever the policy being learned
 * says: the calls that would get around Landlock (the first review's
 * findings 1 and 2).  A socket of another family than UNIX and IP, an
 * AF_INET or AF_INET6 socket other than a stream or datagram of TCP, UDP
 * or ICMP (SMC, MPTCP, SCTP: Landlock governs TCP ports only), listen()
 * (it binds a free port no Landlock rule sees), and System V and POSIX
 * IPC, which no Landlock rule or namespace of cgibox's covers: the user's
 * other processes' queues, semaphores and shared memory.  Returns the
 * errno to refuse with, or 0.
 */
int
learn_floor(const char *call, const uint64_t *args)
{
	static const char *const ipc[] = {
		"shmget", "shmat", "shmctl", "shmdt", "msgget", "msgsnd",
		"msgrcv", "msgctl", "semget", "semop", "semtimedop", "semctl",
		"mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive",
		"mq_notify", "mq_getsetattr",
	};

	for (size_t i = 0; i < sizeof(ipc) / sizeof(ipc[0]); i++)
		if (strcmp(call, ipc[i]) == 0)
			return EPERM;
	if (strcmp(call, "listen") == 0)
		return EACCES;
	if (strcmp(call, "socket") == 0 && args[0] != AF_UNIX) {
		uint64_t	type = args[1] & 0xf, proto = args[2];

		/* Landlock governs TCP alone: not SMC, SCTP, MPTCP, ... */
		if ((args[0] != AF_INET && args[0] != AF_INET6) ||
		    (type != SOCK_STREAM && type != SOCK_DGRAM) ||
		    (proto != 0 && proto != IPPROTO_TCP && proto != IPPROTO_UDP &&
		    proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6))
			return EAFNOSUPPORT;
	}
	return 0;
}

static const char *const mode_names[] = { "no", "yes", "check", "scratch" };

const char *
learn_mode_name(enum learn_mode m)
{
	return (unsigned)m < sizeof(mode_names) / sizeof(mode_names[0]) ?
	    mode_names[m] : "no";
}

static bool
same_key(const struct learn_rec *a, const struct learn_rec *b)
{
	if (strcmp(a->call, b->call) != 0 || strcmp(a->policy, b->policy) !=
	    0 || a->mode != b->mode || a->refused != b->refused ||
	    a->nargs != b->nargs)
		return false;
	for (unsigned i = 0; i < a->nargs; i++)
		if (a->argi[i] != b->argi[i] || a->argv[i] != b->argv[i])
			return false;
	return true;
}

static void
add_script(struct learn_rec *r, const char *script)
{
	if (script[0] == '\0')
		return;
	for (size_t i = 0; i < r->nscripts; i++)
		if (strcmp(r->scripts[i], script) == 0)
			return;
	if (r->nscripts < LEARN_MAX_SCRIPTS)
		(void)copy_str(r->scripts[r->nscripts++], LEARN_SCRIPT_MAX,
		    script);
}

/*
 * Merge rec into s: the same call with the same arguments, policy and
 * mode adds up; a new one takes a free place.  False when s is full and
 * rec was new (it is then counted in s->dropped).
 */
bool
learn_add(struct learn_set *s, const struct learn_rec *rec)
{
	for (size_t i = 0; i < s->n; i++) {
		struct learn_rec	*r = &s->r[i];

		if (!same_key(r, rec))
			continue;
		r->count += rec->count;
		if (rec->first < r->first)
			r->first = rec->first;
		if (rec->last > r->last)
			r->last = rec->last;
		for (size_t k = 0; k < rec->nscripts; k++)
			add_script(r, rec->scripts[k]);
		return true;
	}
	if (s->n == LEARN_MAX_RECORDS) {
		s->full = true;
		s->dropped++;
		return false;
	}
	s->r[s->n++] = *rec;
	return true;
}

/* One record as a store line, newline included; its length in l. */
void
learn_format(const struct learn_rec *r, struct logline *l)
{
	char	num[32], key[4] = "a0";

	log_begin(l);
	log_field(l, "call", r->call);
	log_field(l, "policy", r->policy);
	log_field(l, "mode", learn_mode_name(r->mode));
	if (r->refused)
		log_field(l, "refused", "yes");
	for (unsigned i = 0; i < r->nargs; i++) {
		key[1] = (char)('0' + r->argi[i]);
		(void)snprintf(num, sizeof(num), "%llu",
		    (unsigned long long)r->argv[i]);
		log_field(l, key, num);
	}
	(void)snprintf(num, sizeof(num), "%lu", r->count);
	log_field(l, "count", num);
	(void)snprintf(num, sizeof(num), "%lld", (long long)r->first);
	log_field(l, "first", num);
	(void)snprintf(num, sizeof(num), "%lld", (long long)r->last);
	log_field(l, "last", num);
	for (size_t i = 0; i < r->nscripts; i++)
		log_field(l, "script", r->scripts[i]);
	log_end(l);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * The next key=value of line at *pos: the key into key, the value,
 * unescaped, into val.  False at the end or on anything malformed.
 */
static bool
next_field(const char *line, size_t len, size_t *pos, char *key, size_t ksize,
    char *val, size_t vsize)
{
	size_t	p = *pos, k = 0, v = 0;
	bool	quoted;

	if (p >= len)
		return false;
	if (p > 0) {
		if (line[p] != ' ')
			return false;
		p++;
	}
	while (p < len && line[p] != '=' && line[p] != ' ') {
		if (k + 1 >= ksize)
			return false;
		key[k++] = line[p++];
	}
	if (p >= len || line[p] != '=' || k == 0)
		return false;
	key[k] = '\0';
	p++;
	quoted = p < len && line[p] == '"';
	if (quoted)
		p++;
	while (p < len && (quoted ? line[p] != '"' : line[p] != ' ')) {
		char	c = line[p++];

		if (c == '\\') {
			int	hi, lo;

			if (p + 3 > len || line[p] != 'x' ||
			    (hi = hexval(line[p + 1])) < 0 ||
			    (lo = hexval(line[p + 2])) < 0)
				return false;
			c = (char)(hi << 4 | lo);
			p += 3;
		} else if ((unsigned char)c < 0x20 || c == 0x7f)
			return false;
		if (c == '\0' || v + 1 >= vsize)
			return false;
		val[v++] = c;
	}
	if (quoted) {
		if (p >= len)
			return false;
		p++;
	}
	val[v] = '\0';
	*pos = p;
	return true;
}

static bool
number(const char *s, unsigned long long max, unsigned long long *out)
{
	char	*end;

	if (s[0] < '0' || s[0] > '9')
		return false;
	*out = strtoull(s, &end, 10);
	return *end == '\0' && *out <= max;
}

/* One store line (without its newline) into r; false if it is not one. */
bool
learn_parse(const char *line, size_t len, struct learn_rec *r)
{
	char			key[16], val[LEARN_SCRIPT_MAX];
	size_t			pos = 0;
	unsigned long long	n;
	unsigned		seen = 0;

	memset(r, 0, sizeof(*r));
	while (next_field(line, len, &pos, key, sizeof(key), val,
	    sizeof(val))) {
		if (strcmp(key, "call") == 0 && strlen(val) < sizeof(r->call) &&
		    val[0] != '\0' && strspn(val, "abcdefghijklmnopqrstuvwxyz"
		    "0123456789_") == strlen(val)) {
			(void)copy_str(r->call, sizeof(r->call), val);
			seen |= 1;
		} else if (strcmp(key, "policy") == 0 &&
		    valid_policy_name(val)) {
			(void)copy_str(r->policy, sizeof(r->policy), val);
			seen |= 2;
		} else if (strcmp(key, "mode") == 0) {
			for (unsigned m = LEARN_YES; m <= LEARN_SCRATCH; m++)
				if (strcmp(val, mode_names[m]) == 0) {
					r->mode = (enum learn_mode)m;
					seen |= 4;
				}
		} else if (strcmp(key, "refused") == 0 &&
		    strcmp(val, "yes") == 0)
			r->refused = true;
		else if (key[0] == 'a' && key[1] >= '0' && key[1] <= '5' &&
		    key[2] == '\0' && r->nargs < LEARN_ARGS &&
		    number(val, UINT64_MAX, &n)) {
			r->argi[r->nargs] = (uint8_t)(key[1] - '0');
			r->argv[r->nargs++] = n;
		} else if (strcmp(key, "count") == 0 &&
		    number(val, ~0UL, &n)) {
			r->count = (unsigned long)n;
			seen |= 8;
		} else if (strcmp(key, "first") == 0 &&
		    number(val, INT64_MAX, &n)) {
			r->first = (int64_t)n;
			seen |= 16;
		} else if (strcmp(key, "last") == 0 &&
		    number(val, INT64_MAX, &n)) {
			r->last = (int64_t)n;
			seen |= 32;
		} else if (strcmp(key, "script") == 0 && val[0] == '/')
			add_script(r, val);
		else
			return false;
	}
	return pos == len && seen == 63;
}

/* Every line of a store into s; lines that do not parse are skipped. */
void
learn_read(struct learn_set *s, const char *buf, size_t len)
{
	size_t	start = 0;

	s->n = 0;
	s->full = false;
	s->dropped = 0;
	while (start < len) {
		const char	*nl = memchr(buf + start, '\n', len - start);
		size_t		 end = nl != NULL ? (size_t)(nl - buf) : len;
		static struct learn_rec	r;

		if (learn_parse(buf + start, end - start, &r))
			(void)learn_add(s, &r);
		start = end + 1;
	}
}
