/*
 * The bare hop: a static program that only execs its argument.  What any
 * launcher costs at the least is one more exec; this measures it.
 */
#include <unistd.h>

int
main(int argc, char *argv[])
{
	extern char	**environ;

	if (argc < 2)
		return 2;
	execve(argv[1], argv + 1, environ);
	return 127;
}
