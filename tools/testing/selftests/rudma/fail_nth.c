// SPDX-License-Identifier: GPL-2.0
/*
 * fail_nth: make the Nth allocation of one write(2) fail.
 *
 *   fail_nth N FILE DATA      write the string DATA to FILE
 *   fail_nth N FILE @SIZE     write SIZE bytes of a pattern to FILE
 *
 * FILE is opened first, then /proc/thread-self/fail-nth is armed with N
 * (with failslab and fail_page_alloc set up, the Nth fault-injection point
 * this thread reaches fails: see Documentation/fault-injection/), the one
 * write(2) runs, and fail-nth is read back and disarmed.  Prints one line:
 *
 *   <ret> <errno> <injected>
 *
 * ret is write(2)'s return value, errno its errno (0 on success), injected
 * 1 if the Nth point was reached (the failure was injected), 0 if the write
 * got through with fewer points: a sweep N = 1, 2, ... ends there.  This
 * is the iommufd selftests' fail-nth method, usable from a shell script.
 * Exits 0 whatever write(2) did; 2 on usage or set-up errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DATA (1024 * 1024)

static int die(const char *what)
{
	fprintf(stderr, "fail_nth: %s: %s\n", what, strerror(errno));
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long n, left;
	char num[32];
	const char *data;
	size_t len, i;
	char *buf = NULL;
	ssize_t ret, got;
	int fd, nth, err;

	n = argc == 4 ? strtoul(argv[1], NULL, 0) : 0;
	if (!n) {
		fprintf(stderr, "usage: fail_nth N FILE DATA|@SIZE (N >= 1)\n");
		return 2;
	}
	if (argv[3][0] == '@') {
		len = strtoul(argv[3] + 1, NULL, 0);
		if (!len || len > MAX_DATA) {
			fprintf(stderr, "fail_nth: @SIZE must be 1..%d\n", MAX_DATA);
			return 2;
		}
		buf = malloc(len);
		if (!buf)
			return die("malloc");
		for (i = 0; i < len; i++)
			buf[i] = (char)(i * 7 + 1);
		data = buf;
	} else {
		data = argv[3];
		len = strlen(data);
	}

	fd = open(argv[2], O_WRONLY);
	if (fd < 0)
		return die(argv[2]);
	nth = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth < 0)
		return die("/proc/thread-self/fail-nth");

	snprintf(num, sizeof(num), "%lu", n);
	if (write(nth, num, strlen(num)) < 0)
		return die("arming fail-nth");
	ret = write(fd, data, len);
	err = ret < 0 ? errno : 0;

	got = pread(nth, num, sizeof(num) - 1, 0);
	if (got <= 0)
		return die("reading fail-nth");
	num[got] = 0;
	left = strtoul(num, NULL, 10);
	/* Disarm: writing 0 clears the task's counter. */
	if (pwrite(nth, "0", 1, 0) < 0)
		return die("disarming fail-nth");

	printf("%zd %d %d\n", ret, err, left == 0);
	free(buf);
	close(nth);
	close(fd);
	return 0;
}
