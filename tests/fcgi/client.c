/*
 * A small FastCGI client for the tests and the benchmark: it speaks to a
 * responder on a UNIX socket and reports what came back.
 *
 *   fcgi-client [options] SOCKET [NAME=VALUE...]
 *
 *   -b FILE   the request body (FCGI_STDIN), and CONTENT_LENGTH unless given
 *   -n N      N requests, one after the other
 *   -k        all on one connection (FCGI_KEEP_CONN)
 *   -T        time each request; print "usec N" per request on stderr
 *   -a MS     send FCGI_ABORT_REQUEST MS ms after the params
 *   -c MS     close the connection MS ms after the params, answer unread
 *   -S MS     send each record of the params MS ms apart, one byte a record
 *   -I MS     connect, then send nothing for MS ms (an idle connection)
 *   -V        send FCGI_GET_VALUES first and print the answer
 *   -R FILE   send FILE's bytes as they are instead of a request
 *   -q        do not print the response's STDOUT
 *   -w SECS   give up waiting for an answer after SECS (default 30)
 *
 * STDOUT content goes to standard output, STDERR content to standard
 * error, each record's content on a line of its own prefixed "stderr: ";
 * every other record is reported on standard error: "end APP PROTO",
 * "values NAME=VALUE...", "unknown-type T", "eof".  Exit status 0 when
 * every request ended with FCGI_END_REQUEST, 1 otherwise, 2 on usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char	*sock_path, *body_file, *raw_file;
static int		 nreq = 1, abort_ms = -1, close_ms = -1, slow_ms = -1,
			 idle_ms = -1, wait_secs = 30;
static bool		 keep, timing, values, quiet;

static int
connect_to(void)
{
	struct sockaddr_un	sa = { .sun_family = AF_UNIX };
	int			fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror(sock_path);
		exit(1);
	}
	return fd;
}

static void
put(int fd, const void *b, size_t n)
{
	const uint8_t	*p = b;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;		/* the peer closed: reported by the read */
		p += w;
		n -= (size_t)w;
	}
}

static void
record(int fd, int type, int id, const void *c, size_t len)
{
	uint8_t	h[8] = { 1, (uint8_t)type, (uint8_t)(id >> 8), (uint8_t)id,
	    (uint8_t)(len >> 8), (uint8_t)len, 0, 0 };

	put(fd, h, 8);
	if (len > 0)
		put(fd, c, len);
}

static size_t
nv(uint8_t *b, const char *name, size_t nl, const char *value, size_t vl)
{
	size_t	o = 0;

	if (nl < 128)
		b[o++] = (uint8_t)nl;
	else {
		b[o++] = (uint8_t)(0x80 | nl >> 24);
		b[o++] = (uint8_t)(nl >> 16);
		b[o++] = (uint8_t)(nl >> 8);
		b[o++] = (uint8_t)nl;
	}
	if (vl < 128)
		b[o++] = (uint8_t)vl;
	else {
		b[o++] = (uint8_t)(0x80 | vl >> 24);
		b[o++] = (uint8_t)(vl >> 16);
		b[o++] = (uint8_t)(vl >> 8);
		b[o++] = (uint8_t)vl;
	}
	memcpy(b + o, name, nl);
	memcpy(b + o + nl, value, vl);
	return o + nl + vl;
}

static double
now_us(void)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void
sleep_ms(int ms)
{
	struct timespec	t = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&t, NULL);
}

/* Read records until END_REQUEST for id (or EOF); true if it came. */
static bool
answer(int fd, int id)
{
	static uint8_t	buf[70000];
	double		deadline = now_us() + wait_secs * 1e6;

	for (;;) {
		uint8_t		h[8];
		size_t		clen, plen, got = 0;
		struct pollfd	p = { fd, POLLIN, 0 };

		while (got < 8) {
			ssize_t	n;
			int	left = (int)((deadline - now_us()) / 1000);

			if (left <= 0 || poll(&p, 1, left) <= 0) {
				fprintf(stderr, "timeout\n");
				return false;
			}
			n = read(fd, h + got, 8 - got);
			if (n <= 0) {
				fprintf(stderr, "eof\n");
				return false;
			}
			got += (size_t)n;
		}
		clen = (size_t)(h[4] << 8 | h[5]);
		plen = h[6];
		for (got = 0; got < clen + plen;) {
			ssize_t n = read(fd, buf + got, clen + plen - got);

			if (n <= 0) {
				fprintf(stderr, "eof\n");
				return false;
			}
			got += (size_t)n;
		}
		switch (h[1]) {
		case 6:		/* STDOUT */
			if (!quiet)
				fwrite(buf, 1, clen, stdout);
			break;
		case 7:		/* STDERR */
			if (clen > 0)
				fprintf(stderr, "stderr: %.*s\n", (int)clen,
				    (const char *)buf);
			break;
		case 3:		/* END_REQUEST */
			fflush(stdout);
			fprintf(stderr, "end %u %u\n", (unsigned)buf[0] << 24 |
			    (unsigned)buf[1] << 16 | (unsigned)buf[2] << 8 |
			    buf[3], buf[4]);
			if ((h[2] << 8 | h[3]) == id)
				return true;
			break;
		case 10:	/* GET_VALUES_RESULT */
			fprintf(stderr, "values");
			for (size_t i = 0; i + 2 <= clen;) {
				size_t nl = buf[i], vl = buf[i + 1];

				if (i + 2 + nl + vl > clen)
					break;
				fprintf(stderr, " %.*s=%.*s", (int)nl,
				    (const char *)buf + i + 2, (int)vl,
				    (const char *)buf + i + 2 + nl);
				i += 2 + nl + vl;
			}
			fprintf(stderr, "\n");
			if (id == 0)
				return true;
			break;
		case 11:	/* UNKNOWN_TYPE */
			fprintf(stderr, "unknown-type %u\n", buf[0]);
			if (id == 0)
				return true;
			break;
		default:
			fprintf(stderr, "record %u\n", h[1]);
			break;
		}
	}
}

static bool
one(int fd, int id, char **params, int np, const uint8_t *body, size_t blen)
{
	static uint8_t	pb[262144];
	uint8_t		begin[8] = { 0, 1, keep ? 1 : 0, 0, 0, 0, 0, 0 };
	size_t		pl = 0;
	bool		cl = false;

	record(fd, 1, id, begin, 8);
	for (int i = 0; i < np; i++) {
		const char *eq = strchr(params[i], '=');

		if (eq == NULL)
			continue;
		cl = cl || strncmp(params[i], "CONTENT_LENGTH=", 15) == 0;
		pl += nv(pb + pl, params[i], (size_t)(eq - params[i]), eq + 1,
		    strlen(eq + 1));
	}
	if (body != NULL && !cl) {
		char n[32];

		snprintf(n, sizeof(n), "%zu", blen);
		pl += nv(pb + pl, "CONTENT_LENGTH", 14, n, strlen(n));
	}
	if (slow_ms >= 0)
		for (size_t i = 0; i < pl; i++) {
			record(fd, 4, id, pb + i, 1);
			sleep_ms(slow_ms);
		}
	else
		for (size_t o = 0; o < pl; o += 65535)
			record(fd, 4, id, pb + o, pl - o > 65535 ? 65535 : pl - o);
	record(fd, 4, id, NULL, 0);
	for (size_t o = 0; body != NULL && o < blen; o += 65535)
		record(fd, 5, id, body + o, blen - o > 65535 ? 65535 : blen - o);
	record(fd, 5, id, NULL, 0);
	if (abort_ms >= 0) {
		sleep_ms(abort_ms);
		record(fd, 2, id, NULL, 0);
	}
	if (close_ms >= 0) {
		sleep_ms(close_ms);
		close(fd);
		fprintf(stderr, "closed\n");
		return true;
	}
	return answer(fd, id);
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	struct stat	st;
	uint8_t		*b;
	int		fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0 || (b = malloc((size_t)st.st_size +
	    1)) == NULL || read(fd, b, (size_t)st.st_size) != st.st_size) {
		perror(path);
		exit(2);
	}
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

int
main(int argc, char *argv[])
{
	uint8_t	*body = NULL;
	size_t	 blen = 0;
	int	 ch, fd = -1, failed = 0;

	while ((ch = getopt(argc, argv, "b:n:kTa:c:S:I:VR:qw:")) != -1) {
		switch (ch) {
		case 'b': body_file = optarg; break;
		case 'n': nreq = atoi(optarg); break;
		case 'k': keep = true; break;
		case 'T': timing = true; break;
		case 'a': abort_ms = atoi(optarg); break;
		case 'c': close_ms = atoi(optarg); break;
		case 'S': slow_ms = atoi(optarg); break;
		case 'I': idle_ms = atoi(optarg); break;
		case 'V': values = true; break;
		case 'R': raw_file = optarg; break;
		case 'q': quiet = true; break;
		case 'w': wait_secs = atoi(optarg); break;
		default: return 2;
		}
	}
	if (optind >= argc)
		return 2;
	sock_path = argv[optind++];
	if (body_file != NULL)
		body = slurp(body_file, &blen);
	if (raw_file != NULL) {
		size_t	 rl;
		uint8_t	*raw = slurp(raw_file, &rl);

		fd = connect_to();
		put(fd, raw, rl);
		return answer(fd, 0x7fffffff) ? 0 : 1;
	}
	if (idle_ms >= 0) {
		fd = connect_to();
		sleep_ms(idle_ms);
		close(fd);
		return 0;
	}
	if (values) {
		uint8_t	q[128];
		size_t	ql = nv(q, "FCGI_MAX_CONNS", 14, "", 0);

		ql += nv(q + ql, "FCGI_MPXS_CONNS", 15, "", 0);
		ql += nv(q + ql, "FCGI_MAX_REQS", 13, "", 0);
		fd = connect_to();
		record(fd, 9, 0, q, ql);
		if (!answer(fd, 0))
			return 1;
		if (!keep) {
			close(fd);
			fd = -1;
		}
	}
	for (int i = 0; i < nreq; i++) {
		double	t0 = now_us();

		if (fd < 0)
			fd = connect_to();
		if (!one(fd, 1, argv + optind, argc - optind, body, blen))
			failed++;
		if (timing)
			fprintf(stderr, "usec %.0f\n", now_us() - t0);
		if (!keep || close_ms >= 0) {
			close(fd);
			fd = -1;
		}
	}
	return failed > 0 ? 1 : 0;
}
