/*
 * The one table of outcomes.  Every refusal names a reason from this list;
 * the audit log prints the name, the process exits with the code, the error
 * page uses the HTTP status, and cgibox(8)'s EXIT STATUS section lists the
 * same rows (tests/unit/test_reasons.c checks that it does).
 *
 * Codes are unique so that the exit status alone says what happened.  They
 * stay below 128 because 128 + N means "killed by signal N" to shells and
 * to the supervisor.  Where Apache's suexec had a code for the same check,
 * cgibox uses it.  An exit code of 0 marks a reason that is only ever
 * logged (it describes how a script ended, not a refusal).
 *
 *
 * REASON(identifier, "log-name", exit code, HTTP status, "description")
 */
#define REASON_TABLE \
	REASON(R_USAGE,              "usage",                101, 500, "the launcher was called with arguments it does not accept") \
	REASON(R_SYSTEM,             "system-error",         102, 500, "a system call failed (out of descriptors or memory, an unwritable log, an I/O error)") \
	REASON(R_CALLER,             "caller-mismatch",      103, 403, "the real user is not the configured caller") \
	REASON(R_BAD_COMMAND,        "bad-command",          104, 403, "the command or script path is absolute where it must be relative, has a .. component, or is too long") \
	REASON(R_UNKNOWN_USER,       "unknown-user",         105, 403, "the target user does not exist or is malformed") \
	REASON(R_UNKNOWN_GROUP,      "unknown-group",        106, 403, "the target group does not exist or is malformed") \
	REASON(R_UID_MIN,            "uid-below-min",        107, 403, "the target uid is below min-uid") \
	REASON(R_GID_MIN,            "gid-below-min",        108, 403, "the target gid is below min-gid") \
	REASON(R_TARGET_ROOT,        "target-root",          109, 403, "the target user or group is root") \
	REASON(R_PRIVDROP,           "privdrop-failed",      110, 500, "changing to the target identity failed, or root could be regained") \
	REASON(R_GROUP_MEMBER,       "group-not-member",     111, 403, "the target group is neither the user's primary group nor one of its groups") \
	REASON(R_CONFIG_INVALID,     "config-invalid",       112, 500, "the configuration has an error") \
	REASON(R_CONFIG_INSECURE,    "config-insecure",      113, 500, "the configuration, a directory above it or the log file is not owned by root or is writable by group or others") \
	REASON(R_OUTSIDE,            "outside-docroot",      114, 403, "the script is not below a docroot or the owner's userdir") \
	REASON(R_SYMLINK,            "symlink",              115, 403, "a component of the script path is a symbolic link") \
	REASON(R_DIR_WRITABLE,       "dir-writable",         116, 403, "a directory on the path is writable by group or others") \
	REASON(R_FILE_MISSING,       "file-missing",         117, 403, "the script or a directory on its path does not exist") \
	REASON(R_FILE_WRITABLE,      "file-writable",        118, 403, "the script is writable by group or others") \
	REASON(R_FILE_SETID,         "file-setid",           119, 403, "the script has the setuid or setgid bit") \
	REASON(R_FILE_OWNER,         "file-owner",           120, 403, "the script is not owned by the target user and group") \
	REASON(R_FILE_NOEXEC,        "file-not-executable",  121, 403, "the script is not executable by its owner") \
	REASON(R_DIR_OWNER,          "dir-owner",            122, 403, "a directory on the path is owned by someone other than the target or root") \
	REASON(R_FILE_NOTREG,        "file-not-regular",     123, 403, "the script is not a regular file") \
	REASON(R_ENV_TOO_LARGE,      "env-too-large",        124, 500, "the environment for the script exceeds the size cap") \
	REASON(R_LIMIT,              "limit-failed",         125, 500, "a resource limit, nice value or umask could not be applied") \
	REASON(R_EXEC,               "exec-failed",          126, 500, "the kernel refused to execute the checked script") \
	REASON(R_POLICY_INVALID,     "policy-invalid",        97, 500, "a seccomp policy is missing or has an error") \
	REASON(R_SECCOMP,            "seccomp-failed",        99, 500, "the seccomp filter could not be compiled or installed") \
	REASON(R_LANDLOCK,           "landlock-unavailable",  98, 500, "landlock required is set but the kernel does not offer Landlock") \
	REASON(R_BUSY,               "busy",                 100, 503, "the target user already has max-requests requests running") \
	REASON(R_HOME_UNSAFE,        "home-unsafe",           96, 403, "the target's home directory is not the target's own, or holds a docroot or a system directory") \
	REASON(R_FCGI_INVALID,       "fcgi-invalid",          95, 500, "cgiboxd: the web server broke the FastCGI protocol (the connection ends)") \
	REASON(R_SECCOMP_VIOLATION,  "seccomp-violation",      0,   0, "logged with event=exit or timeout when a supervised script was killed by its seccomp policy")
