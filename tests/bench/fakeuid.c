/*
 * For the instruction count only (tests/bench/instr.sh).  valgrind cannot
 * run a setuid program as its caller, and Apache's suexec refuses any
 * real uid but www-data's, so it is counted run by root with this library
 * preloaded: in the program named CGIBOX_FAKE_PROG (and only there: the
 * valgrind launcher, which gets the preload too, sets its uid from
 * getuid()), getuid() answers CGIBOX_FAKE_UID, so that suexec takes the
 * path it takes for Apache.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long	fake = -1;

__attribute__((constructor)) static void
init(void)
{
	const char	*prog = getenv("CGIBOX_FAKE_PROG");
	const char	*uid = getenv("CGIBOX_FAKE_UID");

	if (prog != NULL && uid != NULL &&
	    strcmp(prog, program_invocation_short_name) == 0)
		fake = strtol(uid, NULL, 10);
}

uid_t
getuid(void)
{
	return fake >= 0 ? (uid_t)fake : (uid_t)syscall(SYS_getuid);
}
