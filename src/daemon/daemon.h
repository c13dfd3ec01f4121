/*
 * cgiboxd: the FastCGI front end.  Three kinds of process (cgiboxd(8)):
 *
 *   main.c   the listener, root: accepts, counts, forks; parses nothing a
 *            peer sent.
 *   conn.c   one per connection, root: the monitor.  It never reads the
 *            peer's socket; it takes requests from the relay as messages
 *            (msg.c), runs the shared pipeline (core/pipeline.c) and
 *            supervises each request's sandbox.
 *   relay.c  one per connection, the caller's uid, no privileges, no
 *            files: speaks FastCGI with the peer (fcgi.c) and moves the
 *            script's streams.
 *
 * fcgi.c and msg.c are pure: no system calls, fuzzed as they are.
 */
#ifndef CGIBOXD_H
#define CGIBOXD_H

#include "cgibox.h"

/* ---- fcgi.c: FastCGI 1.0 records (pure) ---------------------------------- */

#define FCGI_VERSION_1		1
#define FCGI_HEADER_LEN		8
#define FCGI_MAX_CONTENT	65535
enum fcgi_type {
	FCGI_BEGIN_REQUEST = 1, FCGI_ABORT_REQUEST, FCGI_END_REQUEST,
	FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT, FCGI_STDERR, FCGI_DATA,
	FCGI_GET_VALUES, FCGI_GET_VALUES_RESULT, FCGI_UNKNOWN_TYPE
};
#define FCGI_RESPONDER		1
#define FCGI_KEEP_CONN		1
enum fcgi_status { FCGI_REQUEST_COMPLETE, FCGI_CANT_MPX_CONN, FCGI_OVERLOADED,
	FCGI_UNKNOWN_ROLE };
/* The most bytes of name-value pairs one request's params may take. */
#define FCGI_PARAMS_MAX		((size_t)128 * 1024)

enum fcgi_event {
	FE_NONE,	/* nothing yet: feed more */
	FE_BEGIN,	/* a request began: id, keep_conn */
	FE_PARAMS,	/* its params are complete: params, plen */
	FE_STDIN,	/* stdin bytes: data, len (part of the input) */
	FE_STDIN_END,	/* stdin ended */
	FE_ABORT,	/* the web server aborted the request */
	FE_VALUES,	/* FCGI_GET_VALUES: data, len are its pairs */
	FE_UNKNOWN,	/* a record of an unknown type: type */
	FE_ROLE,	/* a request for a role other than responder: id */
	FE_MPX,		/* a second request on the connection: id */
	FE_BAD		/* malformed: why; the connection must end */
};
struct fcgi_ev {
	enum fcgi_event	 type;
	uint16_t	 id;
	uint8_t		 rtype;		/* FE_UNKNOWN */
	const uint8_t	*data;
	size_t		 len;
	const char	*why;		/* FE_BAD */
};
enum fcgi_phase { FP_IDLE, FP_PARAMS, FP_STDIN, FP_DONE };
/* The reader of one connection's records; fcgi_in_init() zeroes it. */
struct fcgi_in {
	uint8_t			hdr[FCGI_HEADER_LEN];
	size_t			hlen;		/* header bytes held */
	uint8_t			type;		/* the current record's */
	uint16_t		id;
	size_t			clen, cgot;	/* its content, and seen */
	size_t			pad;		/* padding still to skip */
	uint8_t			body[8];	/* BEGIN_REQUEST's body */
	enum fcgi_phase		phase;
	uint16_t		req;		/* the active request's id */
	bool			keep_conn;
	uint64_t		content_length;	/* from CONTENT_LENGTH */
	uint64_t		stdin_got;
	uint8_t			values[1024];	/* GET_VALUES pairs */
	size_t			vlen;
	size_t			plen;
	uint8_t			params[FCGI_PARAMS_MAX];
};
void	fcgi_in_init(struct fcgi_in *);
void	fcgi_in_next_request(struct fcgi_in *);
size_t	fcgi_feed(struct fcgi_in *, const uint8_t *, size_t, struct fcgi_ev *);
size_t	fcgi_record(uint8_t *, size_t, enum fcgi_type, uint16_t,
	    const void *, size_t);
size_t	fcgi_end_request(uint8_t *, size_t, uint16_t, uint32_t,
	    enum fcgi_status);
size_t	fcgi_unknown_type(uint8_t *, size_t, uint8_t);
size_t	fcgi_values_result(uint8_t *, size_t, const uint8_t *, size_t,
	    unsigned, unsigned);
bool	fcgi_nv_next(const uint8_t *, size_t, size_t *, const uint8_t **,
	    size_t *, const uint8_t **, size_t *);

/* ---- msg.c: between the relay and the monitor (pure) --------------------- */

/* Every message is a header and a payload, in one SOCK_SEQPACKET packet. */
enum msg_type {
	MSG_REQUEST = 1,	/* relay: the params, as an environment block */
	MSG_ABORT,		/* relay: the peer aborted or went away */
	MSG_BAD,		/* relay: the peer broke the protocol: why */
	MSG_START,		/* monitor: the script's streams (3 fds) */
	MSG_REFUSE,		/* monitor: a refusal's response, then end */
	MSG_END			/* monitor: the request ended: app status */
};
struct msg_hdr {
	uint32_t	type;
	uint32_t	status;		/* MSG_END, MSG_REFUSE: app status */
};
#define MSG_MAX		(sizeof(struct msg_hdr) + FCGI_PARAMS_MAX + \
	ENV_MAX_VARS + 64)
#define MSG_ENV_MAX	(FCGI_PARAMS_MAX + ENV_MAX_VARS)
size_t	msg_env_from_params(const uint8_t *, size_t, char *, size_t,
	    const char **);
bool	msg_env_split(char *, size_t, char **, size_t);
bool	msg_content_length(const uint8_t *, size_t, uint64_t *);

/* ---- the processes ---------------------------------------------------------- */

struct daemon_opts {
	unsigned	max_conns;	/* the global cap */
	bool		over_cap;	/* this connection is beyond it */
};
NORETURN void	conn_main(int, const struct daemon_opts *);
NORETURN void	relay_main(int, int, uid_t, gid_t, const struct daemon_opts *);

#endif
