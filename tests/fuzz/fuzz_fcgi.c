/*
 * libFuzzer: cgiboxd's FastCGI reader (fcgi_feed) and the relay's
 * environment block (msg_env_from_params, msg_env_split).  Any input, cut
 * into any pieces, is read without a memory error; every call makes
 * progress; events stay inside what was fed; a block the relay builds is
 * one the monitor accepts, entry for entry.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_params(const uint8_t *p, size_t len)
{
	static char	block[MSG_ENV_MAX];
	static char	*vec[ENV_MAX_VARS + 1];
	const char	*why;
	size_t		n = msg_env_from_params(p, len, block, sizeof(block), &why);
	size_t		count = 0;

	if (why != NULL)
		return;
	if (!msg_env_split(block, n, vec, sizeof(vec) / sizeof(vec[0])))
		abort();
	for (char **v = vec; *v != NULL; v++) {
		if (strchr(*v, '=') == NULL || *v < block || *v >= block + n)
			abort();
		count++;
	}
	if (count > ENV_MAX_VARS)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fcgi_in	in;
	static uint8_t		out[70000];
	size_t			pos = 0, cut;

	if (size < 1)
		return 0;
	cut = 1 + data[0] % 64;		/* the first byte picks the pieces */
	data++;
	size--;
	fcgi_in_init(&in);
	while (pos < size) {
		size_t		piece = size - pos < cut ? size - pos : cut;
		size_t		taken = 0;

		while (taken < piece) {
			struct fcgi_ev	ev;
			size_t		n = fcgi_feed(&in, data + pos + taken,
			    piece - taken, &ev);

			if (n == 0 && ev.type == FE_NONE)
				abort();	/* no progress */
			if (n > piece - taken)
				abort();
			taken += n;
			switch (ev.type) {
			case FE_BAD:
				if (ev.why == NULL)
					abort();
				return 0;
			case FE_STDIN:
				if (ev.data < data || ev.data + ev.len > data +
				    pos + taken || ev.len == 0)
					abort();
				break;
			case FE_PARAMS:
				if (ev.len > FCGI_PARAMS_MAX)
					abort();
				check_params(ev.data, ev.len);
				(void)fcgi_end_request(out, sizeof(out), ev.id, 0,
				    FCGI_REQUEST_COMPLETE);
				break;
			case FE_VALUES:
				(void)fcgi_values_result(out, sizeof(out),
				    ev.data, ev.len, 64, 64);
				break;
			case FE_STDIN_END:
				fcgi_in_next_request(&in);
				break;
			case FE_NONE:
			case FE_BEGIN:
			case FE_ABORT:
			case FE_UNKNOWN:
			case FE_ROLE:
			case FE_MPX:
			default:
				break;
			}
		}
		pos += piece;
	}
	/* The monitor's side alone, on the raw bytes. */
	{
		static char	copy[MSG_ENV_MAX];
		static char	*vec[ENV_MAX_VARS + 1];
		size_t		n = size < sizeof(copy) ? size : sizeof(copy);

		memcpy(copy, data, n);
		(void)msg_env_split(copy, n, vec, sizeof(vec) / sizeof(vec[0]));
	}
	return 0;
}
