/*
 * libFuzzer: the seccomp policy parser.  Any input parses without a memory
 * error, every error is reported, and an accepted policy keeps the
 * invariants the compiler relies on.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgibox.h"

static unsigned	reported;

static void
count(void *ctx, unsigned file, unsigned line, const char *msg)
{
	(void)ctx;
	(void)file;
	(void)line;
	if (msg == NULL || msg[0] == '\0')
		abort();
	reported++;
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy	p;
	unsigned		errors;

	if (size > POLICY_MAX_BYTES)
		return 0;
	memset(&p, 0, sizeof(p));
	reported = 0;
	errors = policy_parse(&p, 0, (const char *)data, size, count, NULL);
	errors += policy_check(&p, count, NULL);
	if (errors != reported)
		abort();
	if (errors != 0)
		return 0;
	if (!p.default_set || p.nrules > POLICY_MAX_RULES ||
	    p.nincludes > POLICY_MAX_FILES)
		abort();
	for (size_t i = 0; i < p.nincludes; i++)
		if (!valid_policy_name(p.includes[i]))
			abort();
	if (p.nvalues > POLICY_MAX_VALUES)
		abort();
	for (size_t i = 0; i < p.nrules; i++) {
		const struct prule *r = &p.rules[i];

		if (r->name[0] == '\0' || r->ncond > POLICY_MAX_COND ||
		    r->action == ACT_NONE)
			abort();
		if (r->else_action != ACT_NONE && (r->action != ACT_ALLOW ||
		    r->ncond == 0))
			abort();
		for (size_t a = 0; a < r->ncond; a++) {
			const struct pcond *c = &r->cond[a];

			if (c->arg > 5 || (c->op == OP_IN && (c->vcount == 0 ||
			    c->vcount > POLICY_MAX_IN ||
			    c->vfirst + c->vcount > p.nvalues)))
				abort();
			if (c->op == OP_MASKED_EQ && (c->mask == 0 ||
			    (c->value & ~c->mask)))
				abort();
			if (r->else_action != ACT_NONE && c->op != OP_EQ &&
			    c->op != OP_IN && c->op != OP_MASKED_EQ)
				abort();
			for (size_t b = a + 1; b < r->ncond; b++)
				if (c->arg == r->cond[b].arg)
					abort();
		}
	}
	return 0;
}
