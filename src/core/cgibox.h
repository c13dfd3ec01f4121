/*
 * cgibox: shared types and the prototypes of every stage.
 *
 * src/core holds the one pipeline both front ends run: src/launcher (the
 * setuid cgibox) and src/daemon (cgiboxd).  The pure modules (util,
 * conf_parse, policy_parse, request, env, logfmt, landlock_abi, and the
 * daemon's fcgi and msg) take data and return data: no globals, no system
 * calls, so the unit tests and the fuzzers link them as they are.  The
 * modules that touch the kernel (conf_load, target, pathcheck, decide,
 * audit, seccomp, landlock, confine, execute, sandbox, pipeline) are thin.
 */
#ifndef CGIBOX_H
#define CGIBOX_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <stdio.h>

#include "reasons.h"

#define CGIBOX_VERSION	"0.1.0"

#define PRINTF(f, a)	__attribute__((format(printf, f, a)))
#define NORETURN	__attribute__((noreturn))

/* Outcomes: R_ALLOW, then one identifier per row of reasons.h. */
enum reason {
	R_ALLOW = 0,
#define REASON(id, name, code, http, desc) id,
	REASON_TABLE
#undef REASON
	R_COUNT
};

struct reason_info {
	const char	*name;
	int		 code;
	int		 http;
	const char	*desc;
};
extern const struct reason_info reason_table[R_COUNT];

/* A refusal on its way to reject(): the reason and a line for the log. */
struct fault {
	enum reason	reason;
	char		detail[512];
};
enum reason	fault(struct fault *, enum reason, const char *, ...) PRINTF(3, 4);

/* ---- util.c: small pure helpers ---------------------------------------- */

bool	parse_ulong(const char *, unsigned long, unsigned long *);
bool	parse_id(const char *, unsigned long *);
bool	parse_size(const char *, bool, unsigned long long *);
bool	copy_str(char *, size_t, const char *);
bool	valid_env_name(const char *, size_t);
bool	valid_login_name(const char *);
enum path_norm { PATH_NORM_OK, PATH_NORM_DOTDOT, PATH_NORM_TOOLONG,
	PATH_NORM_EMPTY };
enum path_norm	path_normalize(const char *, char *, size_t);
bool	path_is_canonical(const char *);
size_t	path_within(const char *, const char *);
#define TEXT_MAX_LINE	1024
typedef void	(*line_fn)(void *, unsigned, char *, const char *);
void	text_lines(const char *, size_t, line_fn, void *);

/* ---- conf_parse.c: the configuration, parsed (pure) --------------------- */

#define CONF_MAX_DOCROOTS	32
#define CONF_MAX_MATCH		64
#define CONF_MAX_ENV		64	/* env-pass and env-set, each, per scope */
#define CONF_STRBUF		(64 * 1024)
#define CONF_MAX_BYTES		(256 * 1024)

enum limit_kind { LIM_CPU, LIM_AS, LIM_DATA, LIM_FSIZE, LIM_NOFILE, LIM_NPROC,
	LIM_STACK, LIM_CORE, LIM_MEMLOCK, LIM_COUNT };
struct limit_info {
	const char	*name;
	int		 resource;
	bool		 bytes;		/* takes K, M, G, T suffixes */
};
extern const struct limit_info limit_table[LIM_COUNT];

/* Settings that a match block may override; "set" says which it does. */
enum { SET_SAFE_PATH = 1, SET_UMASK = 2, SET_LOG_EXEC = 4, SET_NICE = 8,
	SET_SUPP = 16, SET_POLICY = 32, SET_LANDLOCK = 64, SET_PRIVATE_TMP = 128,
	SET_NETWORK = 256, SET_TIMEOUT = 512, SET_MAX_REQUESTS = 1024,
	SET_LEARN = 2048 };
enum ll_mode { LL_REQUIRED, LL_BEST_EFFORT, LL_OFF };
/*
 * Learn mode (match user blocks only): what the policy refuses is reported
 * to the request's init and recorded; LEARN_YES lets it through, LEARN_CHECK
 * refuses it with EPERM, LEARN_SCRATCH lets it through and learns against
 * base, the essentials, whatever the policy.
 */
enum learn_mode { LEARN_NO, LEARN_YES, LEARN_CHECK, LEARN_SCRATCH };
#define CONF_MAX_PATHS	16	/* landlock-read, -write; per scope */
#define CONF_MAX_PORTS	16	/* landlock-bind, -connect; per scope */
struct settings {
	unsigned	 set;
	const char	*safe_path;
	const char	*policy;	/* seccomp policy name; NULL: none */
	enum ll_mode	 landlock;
	bool		 private_tmp;
	bool		 network;
	unsigned	 timeout;	/* seconds; 0: none */
	unsigned	 max_requests;	/* per target user; 0: no cap */
	enum learn_mode	 learn;
	const char	*ll_read[CONF_MAX_PATHS];
	size_t		 n_ll_read;
	const char	*ll_write[CONF_MAX_PATHS];
	size_t		 n_ll_write;
	uint16_t	 ll_bind[CONF_MAX_PORTS];
	size_t		 n_ll_bind;
	uint16_t	 ll_connect[CONF_MAX_PORTS];
	size_t		 n_ll_connect;
	const char	*hide[CONF_MAX_PATHS];	/* empty read-only mounts */
	size_t		 n_hide;
	mode_t		 umask;
	bool		 log_exec;
	bool		 supp_groups;
	int		 nice;
	bool		 limit_set[LIM_COUNT];
	rlim_t		 limit[LIM_COUNT];
	const char	*env_pass[CONF_MAX_ENV];
	size_t		 n_env_pass;
	const char	*env_set[CONF_MAX_ENV];	/* "NAME=value" */
	size_t		 n_env_set;
};

struct match {
	bool		 by_group;
	const char	*name;
	unsigned	 line;
	struct settings	 s;
};

/*
 * The two big arrays come last: conf_defaults() zeroes everything before
 * match[], each match[] entry is zeroed when its block starts, and strbuf
 * is never read beyond strused.  Zeroing all 160 KB would fault in 40
 * pages on every request for nothing.
 */
struct config {
	const char	*caller;
	unsigned long	 min_uid;
	unsigned long	 min_gid;
	const char	*docroot[CONF_MAX_DOCROOTS];
	size_t		 n_docroot;
	bool		 docroot_root_only;	/* docroot-owner root */
	const char	*userdir;	/* NULL: ~user requests refused */
	const char	*log_file;	/* NULL: none */
	int		 syslog_facility;	/* -1: none */
	bool		 error_page;
	bool		 has_env_set;	/* in any scope: hide the config */
	const char	*fcgi_socket;	/* cgiboxd's; NULL: the compiled one */
	unsigned	 fcgi_max_connections;	/* cgiboxd's global cap */
	struct settings	 global;
	size_t		 n_match;
	size_t		 strused;
	struct match	 match[CONF_MAX_MATCH];	/* [0, n_match) in use */
	char		 strbuf[CONF_STRBUF];	/* [0, strused) in use */
};

/* The settings in force for one target: global, then each matching block. */
struct effective {
	struct settings		 s;	/* scalars and limits, merged */
	const struct settings	*scope[1 + CONF_MAX_MATCH];
	size_t			 n_scope;
};

typedef void	(*conf_error_fn)(void *, unsigned, const char *);
void	conf_defaults(struct config *, const char *);
unsigned	conf_parse(struct config *, const char *, size_t,
	    conf_error_fn, void *);
void	conf_effective(const struct config *, const char *, const char *,
	    struct effective *);
const char	*facility_name(int);

/* ---- conf_load.c: open, check ownership, read, parse -------------------- */

enum reason	conf_load(struct config *, const char *, bool, struct fault *,
	    conf_error_fn, void *);
int	open_trusted(const char *, bool, bool, enum reason, struct fault *);
enum reason	read_all(int, char *, size_t, size_t *, const char *,
	    enum reason, struct fault *);

/* ---- policy_parse.c: the seccomp policy language (pure) ----------------- */

#define POLICY_MAX_RULES	1024
#define POLICY_MAX_COND		6
#define POLICY_MAX_IN		16
#define POLICY_MAX_VALUES	4096	/* values after "in", all rules */
#define POLICY_MAX_FILES	16
#define POLICY_MAX_WORDS	64
#define POLICY_MAX_BYTES	(64 * 1024)
#define POLICY_NAME_MAX		32
#define POLICY_MAX_ELSE_RULES	64	/* rules for one call with an else */
#define NAME_LEN		64

enum pact { ACT_NONE, ACT_ALLOW, ACT_ERRNO, ACT_KILL, ACT_NOTIFY };
enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_MASKED_EQ, OP_IN };
/*
 * One condition.  OP_MASKED_EQ: (aN & mask) == value.  OP_IN: (aN & mask)
 * is one of values[vfirst, vfirst + vcount) of the policy, mask all ones
 * for a plain "in".  The other ops compare the whole argument with value.
 */
struct pcond {
	unsigned	arg;
	enum cmp_op	op;
	uint64_t	value, mask;
	uint32_t	vfirst, vcount;
};
struct prule {
	char		name[POLICY_NAME_MAX];
	enum pact	action;
	int		errno_value;
	size_t		ncond;
	struct pcond	cond[POLICY_MAX_COND];
	enum pact	else_action;
	int		else_errno;
	unsigned	file, line;
};
struct policy {
	bool		default_set;
	enum pact	default_action;
	int		default_errno;
	struct prule	rules[POLICY_MAX_RULES];
	size_t		nrules;
	uint64_t	values[POLICY_MAX_VALUES];
	size_t		nvalues;
	char		includes[POLICY_MAX_FILES][NAME_LEN];
	size_t		nincludes;
	char		files[POLICY_MAX_FILES][PATH_MAX];
	struct stat	st[POLICY_MAX_FILES];
	size_t		nfiles;
};
typedef void	(*policy_error_fn)(void *, unsigned, unsigned, const char *);
unsigned	policy_parse(struct policy *, unsigned, const char *, size_t,
	    policy_error_fn, void *);
unsigned	policy_check(const struct policy *, policy_error_fn, void *);
bool	policy_learn(struct policy *, bool);
const char	*policy_essential(size_t);
bool	policy_is_essential(const char *);
size_t	policy_rule_text(const struct policy *, const struct prule *, char *,
	    size_t);
size_t	cond_set(const struct policy *, const struct pcond *,
	    const uint64_t **, uint64_t *);
bool	valid_policy_name(const char *);
const char	*errno_name(int);

/* ---- seccomp.c: load, compile, cache and install a policy --------------- */

#define BPF_MAX_INSNS	4096
/* insns last: only [0, len) is ever read, and only that much is zeroed. */
struct bpf {
	char		name[NAME_LEN];
	size_t		len;		/* bytes */
	bool		cached;		/* loaded from the cache */
	uint8_t		insns[BPF_MAX_INSNS * 8] __attribute__((aligned(8)));
};
typedef void	(*policy_report_fn)(void *, const char *, unsigned,
	    const char *);
enum reason	policy_load(const char *, const char *, bool, struct policy *,
	    struct fault *, policy_report_fn, void *);
enum reason	policy_compile(const struct policy *, struct bpf *, FILE *,
	    struct fault *);
enum reason	policy_prepare(const char *, const char *, const char *,
	    enum learn_mode, struct bpf *, struct fault *, policy_report_fn,
	    void *);
enum reason	policy_install(const struct bpf *, struct fault *);
enum reason	policy_install_listener(const struct bpf *, int *,
	    struct fault *);
enum reason	allowlist_install(const long *, size_t, struct fault *);

/* ---- request.c: argv to a request (pure) -------------------------------- */

enum mode { MODE_SUEXEC, MODE_INTERP, MODE_SETTINGS };
struct request {
	enum mode	 mode;
	const char	*user;		/* without the ~ */
	const char	*group;
	bool		 userdir;	/* ~user: a UserDir request */
	const char	*cmd;		/* CMD (suexec) or SCRIPT (interpreter) */
	char *const	*argv;		/* the script's argv, argv[0] = cmd */
	char		*own_argv[2];	/* argv when the script came from
					   SCRIPT_PARAM */
};
/* The FastCGI-bridge form: no arguments, the script in this variable. */
#define SCRIPT_PARAM	"CGIBOX_SCRIPT"
enum reason	request_parse(int, char *const *, char *, struct request *,
	    struct fault *);

/* ---- target.c: who the script runs as ---------------------------------- */

#define TARGET_MAX_GROUPS	256
struct target {
	bool	 uid_set, gid_set;
	uid_t	 uid;
	gid_t	 gid;
	char	 user[64];
	char	 group[64];
	char	 home[PATH_MAX];
	gid_t	 groups[TARGET_MAX_GROUPS];	/* supplementary, if kept */
	int	 ngroups;
};
enum reason	target_lookup(const char *, const char *, struct target *,
	    struct fault *);
enum reason	target_by_ids(uid_t, gid_t, struct target *, struct fault *);
enum reason	target_check(const struct config *, const struct target *,
	    struct fault *);
enum reason	target_groups(struct target *, bool, struct fault *);
enum reason	home_check(const struct config *, const struct target *,
	    struct fault *);
enum reason	caller_check(const struct config *, uid_t, char *, size_t,
	    struct fault *);

/* ---- pathcheck.c: from the containment root down to the script ---------- */

#define WALK_MAX	64
/* The arrays last: walk_init() zeroes the rest; only [0, n) is read. */
struct walk {
	char		 path[PATH_MAX];	/* normalized absolute script path */
	char		 root[PATH_MAX];	/* docroot or userdir it lies in */
	size_t		 n;			/* directories from root down */
	struct stat	 script;
	int		 dir_fd;		/* O_PATH, the script's directory */
	int		 script_fd;		/* O_PATH, the script */
	const char	*name;			/* last component of path */
	struct stat	 dir[WALK_MAX];
	size_t		 dir_end[WALK_MAX];	/* path[0..end) names dir[i] */
};
enum reason	path_script(const char *, const char *, char *, size_t,
	    struct fault *);
const char	*path_docroot(const struct config *, const char *);
enum reason	path_userdir(const struct config *, const struct target *,
	    const char *, char *, size_t, struct fault *);
enum reason	path_owner_hint(const char *, uid_t *, gid_t *,
	    struct fault *);
enum reason	path_walk(const char *, const char *, const char *,
	    struct walk *, struct fault *);
enum reason	path_judge(const struct walk *, uid_t, gid_t, bool,
	    struct fault *);
int		open_beneath(const char *, const char *);
bool		conf_path_resolve(const char *, const char *, char *, size_t);
void		walk_init(struct walk *);
void		path_close(struct walk *);

/* ---- decide.c: the whole decision, shared with cgibox-check ------------- */

struct decision {
	char			path[PATH_MAX];	/* the script, normalized */
	struct target		t;
	struct walk		w;
	struct effective	e;
};
enum reason	decide(const struct config *, const struct request *,
	    const char *, struct decision *, struct fault *);

/* ---- env.c: the script's environment (pure) ----------------------------- */

#define ENV_MAX_VARS	1024
#define ENV_MAX_BYTES	(256 * 1024)
struct envbuf {
	char	*vec[ENV_MAX_VARS + 1];
	size_t	 n;
	char	 buf[ENV_MAX_BYTES];
	size_t	 used;
};
struct env_in {
	char *const		 *incoming;
	const struct effective	 *e;
	const char		 *user;
	const char		 *home;
	const char		 *script;
};
enum reason	env_build(const struct env_in *, struct envbuf *,
	    struct fault *);
bool	env_whitelisted(const char *, size_t);
char	*env_get(char *const *, const char *);

/* ---- logfmt.c: one escaped key=value line (pure) ------------------------ */

#define LOG_LINE_MAX	32768	/* above the sum of every field's cap */
#define LOG_VALUE_MAX	1024
struct logline {
	char	buf[LOG_LINE_MAX];
	size_t	len;
};
void	log_begin(struct logline *);
void	log_field(struct logline *, const char *, const char *);
void	log_end(struct logline *);
size_t	log_escape(char *, size_t, const char *, size_t, size_t *);
bool	valid_request_id(const char *);

/* ---- audit.c: the log sinks, the error page and the one way out --------- */

struct audit_ctx {
	const struct config	*cfg;
	const char		*caller;
	const char		*user, *group, *cwd, *cmd, *script, *policy;
	const char		*landlock, *learn;
	const char		*remote_addr, *request_method, *request_uri;
	char			 request_id[65];
};
void	audit_init(char *const *);
enum reason	audit_open(const struct config *, struct fault *);
void	audit_set(const char *, const char *);
enum reason	audit_exec(struct fault *);
NORETURN void	reject(enum reason, const char *, ...) PRINTF(2, 3);
NORETURN void	reject_fault(const struct fault *);
void	audit_refusal(const struct fault *);
void	audit_stderr(int);
void	audit_note(const char *, const char *);
size_t	audit_response(enum reason, char *, size_t);
const char	*audit_request_id(void);
size_t	error_page(enum reason, const char *, char *, size_t);
size_t	error_page_status(enum reason, char *, size_t);
#define STDERR_LINE_MAX	1024	/* escaped bytes of one line, then cut */
size_t	stderr_line(char *, size_t, const char *, const char *, size_t);
/* A script's standard error cut into lines, for stderr_line(). */
struct err_lines {
	char	buf[STDERR_LINE_MAX];	/* a partial line */
	size_t	len;
};
typedef void	(*err_line_fn)(void *, const char *, size_t);
void	err_lines_feed(struct err_lines *, const char *, size_t, err_line_fn,
	    void *);
void	err_lines_end(struct err_lines *, err_line_fn, void *);

/* ---- landlock_abi.c (pure) and landlock.c: filesystem and more ---------- */

struct landlock_abi {
	uint64_t	fs, net, scoped;
};
struct landlock_plan {
	int		abi;		/* 0: no Landlock */
	uint64_t	fs, net, scoped;
	char		missing[64];	/* what this kernel lacks, for the log */
};
const struct landlock_abi	*landlock_abi(int);
int	landlock_abi_known(void);
enum reason	landlock_plan(enum ll_mode, int, struct landlock_plan *);
const char	*landlock_note(enum ll_mode, const struct landlock_plan *, char *,
	    size_t);
int	landlock_kernel_abi(void);
struct walk;
enum reason	landlock_apply(const struct landlock_plan *,
	    const struct effective *, const struct target *,
	    const struct walk *, struct fault *);
enum reason	landlock_lockdown(struct fault *);

/* ---- confine.c, execute.c: the kernel-facing stages -------------------- */

/* What the caller set that the launcher changes for itself while root. */
struct inherited {
	struct rlimit	fsize;
};
enum reason	confine_fsize(const struct effective *, const struct inherited *,
	    struct fault *);
enum reason	confine_limits(const struct effective *, const struct inherited *,
	    bool, struct fault *);
struct ns_in {
	const struct effective	*e;
	const struct target	*t;
	const char		*conf_dir;	/* hidden in a mount namespace */
	bool			 conf_secrets;	/* env-set values: hide it */
	bool			 new_pid;	/* mount this PID namespace's /proc */
};
enum reason	confine_namespaces(const struct ns_in *, struct fault *);
enum reason	confine_drop(const struct target *, uid_t, struct fault *);
struct learn_job;
enum reason	execute(const struct walk *, const struct request *,
	    char *const *, mode_t, const struct bpf *, bool,
	    const struct learn_job *, struct fault *);

/* ---- sandbox.c: the request's PID namespace and its end; slots ---------- */

struct sup_result {
	bool	timed_out;
	bool	aborted;	/* the front end ended it (cgiboxd: the peer) */
	int	status;		/* exit status, if no signal */
	int	signal;		/* 0: exited */
	double	cpu_ms, wall_ms;
	long	max_rss_kb;
};
struct sandbox {
	pid_t	init;		/* the namespace's first process */
	int	pidfd;		/* the init's, to poll */
	int	status_fd;	/* the init's report of the script's status */
	double	start;		/* ms, monotonic */
	bool	killing;
	double	kill_at;	/* ms; 0: killed */
};
enum sb_action { SB_GO_ON, SB_STOP, SB_KILL };
int	slot_take(const char *, uid_t, unsigned, struct fault *);
double	now_ms(void);
int	sandbox_fork(struct sandbox *, int, struct fault *);
enum reason	sandbox_child(struct fault *);
NORETURN void	init_report(int);
void	sandbox_stop(struct sandbox *);
void	sandbox_kill(struct sandbox *);
int	sandbox_wait(struct sandbox *, unsigned, int, enum sb_action (*)(void *),
	    void *, struct sup_result *);
void	audit_end(const struct sup_result *);

/* ---- learn.c (pure) and learn_run.c: learn mode ------------------------- */

#define LEARN_ARGS		3	/* arguments recorded per call, at most */
#define LEARN_MAX_RECORDS	256	/* distinct records in a user's store */
#define LEARN_MAX_SCRIPTS	4	/* scripts named per record */
#define LEARN_SCRIPT_MAX	256
#define LEARN_STORE_MAX		((size_t)LEARN_MAX_RECORDS * 6144)
struct learn_rec {
	char		 call[POLICY_NAME_MAX];
	char		 policy[NAME_LEN];	/* learned against */
	enum learn_mode	 mode;
	bool		 refused;	/* by learning's own floor */
	unsigned	 nargs;
	uint8_t		 argi[LEARN_ARGS];
	uint64_t	 argv[LEARN_ARGS];
	unsigned long	 count;
	int64_t		 first, last;	/* seconds since the epoch */
	size_t		 nscripts;
	char		 scripts[LEARN_MAX_SCRIPTS][LEARN_SCRIPT_MAX];
};
struct learn_set {
	size_t		 n;
	bool		 full;
	unsigned long	 dropped;	/* new records that found no room */
	struct learn_rec r[LEARN_MAX_RECORDS];
};
unsigned	learn_args_of(const char *, uint8_t *);
uint64_t	learn_arg_mask(const char *, unsigned);
const char	*learn_mode_name(enum learn_mode);
int	learn_floor(const char *, const uint64_t *);
bool	learn_add(struct learn_set *, const struct learn_rec *);
void	learn_format(const struct learn_rec *, struct logline *);
bool	learn_parse(const char *, size_t, struct learn_rec *);
void	learn_read(struct learn_set *, const char *, size_t);

/* What the init of a learning request needs (execute.c, learn_run.c). */
struct learn_job {
	enum learn_mode	 mode;
	int		 store;		/* the user's store, opened as root */
	const char	*policy;	/* the policy learned against */
	const char	*script;	/* the checked script */
	/* The file size limit, set in the script's process alone. */
	const struct effective	*e;
	const struct inherited	*inh;
};
enum reason	learn_store_open(const char *, uid_t, int *, struct fault *);
int	learn_serve(const struct learn_job *, int, pid_t);

/* ---- pipeline.c: one request from the decision to the exec -------------- */

/* Large: one per process, static. */
struct job {
	/* Set by the front end. */
	const struct config	*cfg;
	struct request		 rq;
	const char		*cwd;
	char *const		*incoming;	/* the caller's variables */
	struct inherited	 inh;
	unsigned		 user_cap;	/* when max-requests is 0; 0: none */
	bool			 always_supervised;
	/* Filled by job_prepare(). */
	int			 slot;		/* held concurrency slot, or -1 */
	bool			 supervised;
	struct landlock_plan	 plan;
	char			 ll_note[96];
	struct decision		 d;
	struct bpf		 filter;
	struct envbuf		 env;
	struct learn_job	 learn;		/* mode LEARN_NO: not learning */
};
enum reason	job_config(struct config *, struct fault *);
enum reason	job_prepare(struct job *, struct fault *);
void	job_forked(struct job *);
void	job_end(struct job *);
NORETURN void	job_run(struct job *);

/* ---- launcher/: the setuid front end's own stages ----------------------- */

void	startup(char ***, struct inherited *);
enum reason	errpipe_open(struct fault *);
enum reason	errpipe_child(struct fault *);
int	errpipe_parent(void);
bool	errpipe_relay(void);
void	errpipe_end(void);
void	stderr_parent_signals(sigset_t *);
NORETURN void	stderr_parent(pid_t, const struct target *);
NORETURN void	supervise(struct sandbox *, const struct target *, uid_t,
	    unsigned, struct fault *);

/* ---- settings.c: what -V and cgibox-check print ------------------------- */

void	settings_print_suexec(FILE *, const struct config *, const char *);
void	settings_print_decision(FILE *, const struct config *,
	    const struct decision *);

#endif
