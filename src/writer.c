/* writer.c: finds an output format by name or by the output path's ending. */
#include "config.h"

#include <string.h>

#include "writer.h"

static int	writer_ends_with(const char *, const char *);

static int
writer_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && ascii_casecmp(s + n - k, suffix) == 0;
}

const struct writer_ops *
writer_by_name(const char *name)
{
	for (size_t i = 0; writers[i] != NULL; i++)
		if (strcmp(writers[i]->name, name) == 0)
			return writers[i];
	return NULL;
}

const struct writer_ops *
writer_by_path(const char *path, int *gzip)
{
	const struct writer_ops *ops;

	if (writer_ending(path, &ops) > 0 && gzip != NULL)
		*gzip = writer_ends_with(path, ".gz");
	return ops;
}

size_t
writer_ending(const char *path, const struct writer_ops **ops)
{
	size_t best_len = 0;

	*ops = NULL;
	for (size_t i = 0; writers[i] != NULL; i++) {
		const char *const *s = writers[i]->suffixes;

		for (; s != NULL && *s != NULL; s++)
			if (strlen(*s) > best_len &&
			    writer_ends_with(path, *s)) {
				*ops = writers[i];
				best_len = strlen(*s);
			}
	}
	return best_len;
}
