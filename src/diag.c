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
