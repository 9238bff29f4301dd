// SPDX-License-Identifier: MIT
/*
 * replay_main.c - runs a fuzz target's LLVMFuzzerTestOneInput over every
 * file of the folders (or files) named on the command line, without
 * libFuzzer: the builds without clang (gcc, valgrind) replay each seed
 * corpus, crashing inputs kept there included, as a regression test.
 * Fails when it found no input at all.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f)
		return 0;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return 0;
	}
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return 0;
	}
	fclose(f);
	/* An exact-size copy, so that memcheck sees reads past the input. */
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 1;
}

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

int main(int argc, char **argv)
{
	int n = 0;

	for (int i = 1; i < argc; i++) {
		struct dirent **list;
		struct stat st;
		int k;

		if (stat(argv[i], &st))
			continue;
		if (!S_ISDIR(st.st_mode)) {
			n += run_file(argv[i]);
			continue;
		}
		k = scandir(argv[i], &list, not_hidden, alphasort);
		for (int j = 0; j < k; j++) {
			char path[4096];

			if (snprintf(path, sizeof(path), "%s/%s", argv[i], list[j]->d_name) <
			    (int)sizeof(path))
				n += run_file(path);
			free(list[j]);
		}
		if (k >= 0)
			free(list);
	}
	printf("replayed %d inputs\n", n);
	return n > 0 ? 0 : 1;
}
