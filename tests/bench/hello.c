/* The smallest CGI: a header and one line.  Built static for the bench. */
#include <unistd.h>

int
main(void)
{
	static const char	msg[] = "Content-Type: text/plain\r\n\r\nhello\n";

	return write(1, msg, sizeof(msg) - 1) == sizeof(msg) - 1 ? 0 : 1;
}
