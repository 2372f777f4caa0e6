/* diag.c: counts reports by kind and hands them to main's sink. */
#include "config.h"

#include <stdlib.h>

#include "diag.h"

void
diag_init(struct diag *d, diag_sink sink, void *arg)
{
	d->n = (struct diag_counts){ 0 };
	d->sink = sink;
	d->sink_arg = arg;
	d->page_sink = NULL;
	d->page_arg = NULL;
}

void
diag_page(struct diag *d, const struct page *p)
{
	if (d->page_sink != NULL)
		d->page_sink(d->page_arg, p);
}

void
diag_vreport(struct diag *d, enum diag_kind kind, const char *file,
    const char *pos, const char *fmt, va_list ap)
{
	char *msg;

	switch (kind) {
	case DIAG_NOTE:
		break;
	case DIAG_WARN:
		d->n.warnings++;
		break;
	case DIAG_NON2XX:
		d->n.non2xx++;
		d->n.rejects++;
		break;
	case DIAG_REJECT:
		d->n.rejects++;
		break;
	case DIAG_CONFLICT:
		d->n.conflicts++;
		break;
	case DIAG_ERROR:
		d->n.errors++;
		break;
	}
	if (d->sink == NULL)
		return;
	msg = xvasprintf(fmt, ap);
	d->sink(d->sink_arg, kind, file, pos, msg);
	free(msg);
}

void
diag_report(struct diag *d, enum diag_kind kind, const char *file,
    const char *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport(d, kind, file, pos, fmt, ap);
	va_end(ap);
}

void
diag_counts_add(struct diag_counts *to, const struct diag_counts *n)
{
	to->inputs += n->inputs;
	to->duplicates += n->duplicates;
	to->bytes += n->bytes;
	to->responses += n->responses;
	to->observations += n->observations;
	to->records += n->records;
	to->filtered += n->filtered;
	to->rejects += n->rejects;
	to->non2xx += n->non2xx;
	to->conflicts += n->conflicts;
	to->warnings += n->warnings;
	to->errors += n->errors;
}

void
diag_keep(struct buf *b, enum diag_kind kind, const char *file,
    const char *pos, const char *msg)
{
	buf_addc(b, (char)kind);
	buf_put_str(b, file);
	buf_put_str(b, pos);
	buf_put_str(b, msg);
}

void
diag_say_kept(struct diag *d, const char **p)
{
	enum diag_kind kind = (enum diag_kind)*(*p)++;
	const char *file = buf_get_str(p);
	const char *pos = buf_get_str(p);
	const char *msg = buf_get_str(p);

	if (d->sink != NULL)
		d->sink(d->sink_arg, kind, file, pos, msg);
}
