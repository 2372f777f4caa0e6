/*
 * write_xml.c: XML, written as it goes with libxml2's streaming writer
 * (xmlTextWriter) and valid against formats/imgmeta.xsd, which says the
 * layout: root <images> in the namespace urn:imgmeta:1, one <image> per
 * record in id order, the fields as children in table order (a null left
 * out), <properties> with <property key="..."> sorted by key (a null value
 * marked xsi:nil="true"), <sources> with one <source> per observation, its
 * fields as attributes (left out where unknown). UTF-8, with an XML
 * declaration, indented by two spaces; the same records give the same bytes.
 *
 * XML 1.0 cannot carry every string: control characters other than tab,
 * LF and CR, and U+FFFE/U+FFFF have no representation, not even as a
 * character reference; xs:dateTime has no leap second and no year 0000.
 * Each record is checked before anything of it is written; a value that
 * cannot be carried is reported as a reject at the position of the
 * observation that gave it, and the record is left out, so the document
 * stays well-formed and valid.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "output.h"
#include "writer.h"

#define WRITE_XML_NS		"urn:imgmeta:1"
#define WRITE_XML_XSI		"http://www.w3.org/2001/XMLSchema-instance"
#define WRITE_XML_QUOTE_MAX	80	/* bytes of a value quoted in a reject */

/* libxml2 speaks unsigned char; our text is UTF-8 in char. */
#define WRITE_XML_S(s)		((const xmlChar *)(s))

struct write_xml {
	struct output		*out;
	xmlTextWriterPtr	 xw;
	int			 failed;	/* output failed (reported) */
	int			 discard;	/* aborting: drop what is flushed */
	xmlGenericErrorFunc	 saved_err;	/* libxml2's handler before open */
	void			*saved_err_ctx;
};

static enum rc	write_xml_open(struct writer *, const char *);
static enum rc	write_xml_write(struct writer *, const struct record *);
static enum rc	write_xml_finish(struct writer *);
static void	write_xml_free(struct writer *);
static int	write_xml_io(void *, const char *, int);
static void	write_xml_quiet(void *, const char *, ...);
static enum rc	write_xml_error(struct writer *);
static int	write_xml_check(struct writer *, const struct record *,
		    const char *);
static enum rc	write_xml_check_obs(struct writer *, const struct record *);
static int	write_xml_check_one(struct writer *, const struct record *,
		    const struct source *, const char *, const char *,
		    const char *, int, const char *);
static int	write_xml_uncarriable(const char *, int, char *, size_t);
static int	write_xml_image(xmlTextWriterPtr, const struct record *);

static const char *const write_xml_suffixes[] = { ".xml", NULL };

const struct writer_ops write_xml_ops = {
	.name = "xml",
	.suffixes = write_xml_suffixes,
	.to_stdout = 1,
	.open = write_xml_open,
	.write = write_xml_write,
	.finish = write_xml_finish,
	.free = write_xml_free,
	.check = write_xml_check_obs,
};

static enum rc
write_xml_open(struct writer *w, const char *path)
{
	struct write_xml *x;
	xmlOutputBufferPtr ob;
	int err = 0;

	x = xcalloc(1, sizeof *x);
	w->priv = x;
	/* Out of memory is fatal here as everywhere: some of libxml2's
	 * writer calls leave out what they could not allocate and still
	 * return success. The memory is malloc's either way. */
	xmlMemSetup(free, xmalloc, xrealloc, xstrdup);
	/* Modules never print: our own messages say what failed. */
	x->saved_err = xmlGenericError;
	x->saved_err_ctx = xmlGenericErrorContext;
	xmlSetGenericErrorFunc(NULL, write_xml_quiet);
	if ((x->out = output_open(path, w->opts.gzip, w->diag)) == NULL) {
		/* main does not call free after a failed open */
		write_xml_free(w);
		return RC_FATAL;
	}
	output_threads(x->out, w->opts.threads);
	if ((ob = xmlOutputBufferCreateIO(write_xml_io, NULL, x, NULL)) ==
	    NULL)
		fatal("out of memory");
	if ((x->xw = xmlNewTextWriter(ob)) == NULL)
		fatal("out of memory");
	err |= xmlTextWriterSetIndent(x->xw, 1) < 0;
	err |= xmlTextWriterSetIndentString(x->xw, WRITE_XML_S("  ")) < 0;
	err |= xmlTextWriterStartDocument(x->xw, "1.0", "UTF-8", NULL) < 0;
	err |= xmlTextWriterStartElement(x->xw, WRITE_XML_S("images")) < 0;
	err |= xmlTextWriterWriteAttribute(x->xw, WRITE_XML_S("xmlns"),
	    WRITE_XML_S(WRITE_XML_NS)) < 0;
	err |= xmlTextWriterWriteAttribute(x->xw, WRITE_XML_S("xmlns:xsi"),
	    WRITE_XML_S(WRITE_XML_XSI)) < 0;
	if (err) {
		write_xml_error(w);
		write_xml_free(w);
		return RC_FATAL;
	}
	return RC_OK;
}

/* libxml2's output callback: the bytes go to the output (or nowhere). */
static int
write_xml_io(void *arg, const char *buf, int len)
{
	struct write_xml *x = arg;

	if (x->discard)
		return len;
	if (x->failed || len < 0 ||
	    output_write(x->out, buf, (size_t)len) != RC_OK) {
		x->failed = 1;
		return -1;
	}
	return len;
}

/* libxml2's messages ("I/O error : write error") are not printed. */
static void
write_xml_quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* A writer call failed: the output said why, or else libxml2 did not. */
static enum rc
write_xml_error(struct writer *w)
{
	struct write_xml *x = w->priv;

	if (!x->failed)
		diag_report(w->diag, DIAG_ERROR, NULL, NULL,
		    "cannot write the XML output (libxml2 failed)");
	x->failed = 1;
	return RC_FATAL;
}

static enum rc
write_xml_write(struct writer *w, const struct record *rec)
{
	struct write_xml *x = w->priv;

	if (x->failed)
		return RC_FATAL;
	/* Left out: the rejects have been reported. */
	if (!write_xml_check(w, rec, "image"))
		return RC_OK;
	if (write_xml_image(x->xw, rec) != 0)
		return write_xml_error(w);
	return RC_OK;
}

/* One <image>; -1 if a writer call failed. */
static int
write_xml_image(xmlTextWriterPtr xw, const struct record *rec)
{
	int err = 0;

	err |= xmlTextWriterStartElement(xw, WRITE_XML_S("image")) < 0;
	for (int i = 0; i < F__COUNT; i++)
		if (rec->f[i] != NULL)
			err |= xmlTextWriterWriteElement(xw,
			    WRITE_XML_S(field_info[i].name),
			    WRITE_XML_S(rec->f[i])) < 0;

	err |= xmlTextWriterStartElement(xw, WRITE_XML_S("properties")) < 0;
	for (size_t i = 0; i < rec->nprops; i++) {
		const struct prop *p = &rec->props[i];

		err |= xmlTextWriterStartElement(xw,
		    WRITE_XML_S("property")) < 0;
		err |= xmlTextWriterWriteAttribute(xw, WRITE_XML_S("key"),
		    WRITE_XML_S(p->key)) < 0;
		if (p->value == NULL)
			err |= xmlTextWriterWriteAttribute(xw,
			    WRITE_XML_S("xsi:nil"), WRITE_XML_S("true")) < 0;
		else
			err |= xmlTextWriterWriteString(xw,
			    WRITE_XML_S(p->value)) < 0;
		err |= xmlTextWriterEndElement(xw) < 0;
	}
	err |= xmlTextWriterEndElement(xw) < 0;

	err |= xmlTextWriterStartElement(xw, WRITE_XML_S("sources")) < 0;
	for (size_t i = 0; i < rec->nsrcs; i++) {
		err |= xmlTextWriterStartElement(xw, WRITE_XML_S("source")) < 0;
		for (int k = 0; k < S__COUNT; k++)
			if (rec->srcs[i].v[k] != NULL)
				err |= xmlTextWriterWriteAttribute(xw,
				    WRITE_XML_S(source_field_name[k]),
				    WRITE_XML_S(rec->srcs[i].v[k])) < 0;
		err |= xmlTextWriterEndElement(xw) < 0;
	}
	err |= xmlTextWriterEndElement(xw) < 0;

	err |= xmlTextWriterEndElement(xw) < 0;
	return err ? -1 : 0;
}

/*
 * 1 when every value of the record can be written; else 0, with one
 * reject reported for each value that cannot, naming the observation
 * (file and position) that gave it.
 */
static int
write_xml_check(struct writer *w, const struct record *rec, const char *then)
{
	int ok = 1;

	for (int i = 0; i < F__COUNT; i++) {
		const struct source *s = rec->fsrc[i] < rec->nsrcs ?
		    &rec->srcs[rec->fsrc[i]] : NULL;

		if (rec->f[i] != NULL)
			ok &= write_xml_check_one(w, rec, s, "field",
			    field_info[i].name, rec->f[i],
			    field_info[i].type == FT_TIME, then);
	}
	for (size_t i = 0; i < rec->nprops; i++) {
		const struct prop *p = &rec->props[i];
		const struct source *s = p->src < rec->nsrcs ?
		    &rec->srcs[p->src] : NULL;

		ok &= write_xml_check_one(w, rec, s, "property key", NULL,
		    p->key, 0, then);
		if (p->value != NULL)
			ok &= write_xml_check_one(w, rec, s, "property",
			    p->key, p->value, 0, then);
	}
	for (size_t i = 0; i < rec->nsrcs; i++)
		for (int k = 0; k < S__COUNT; k++)
			if (rec->srcs[i].v[k] != NULL)
				ok &= write_xml_check_one(w, rec, &rec->srcs[i],
				    "source", source_field_name[k],
				    rec->srcs[i].v[k], k == S_DATE, then);
	return ok;
}

/* The check hook: an observation XML cannot carry is rejected as it is
 * read, so --strict and the counts see it (the write-time check stays as
 * a backstop). */
static enum rc
write_xml_check_obs(struct writer *w, const struct record *obs)
{
	return write_xml_check(w, obs, "observation of image") ?
	    RC_OK : RC_SKIP;
}

/*
 * One value: what says "FIELD" in the message ("field", "property",
 * "source"), name its name (NULL for none). 1 if it can be carried, else
 * 0 with the reject reported.
 */
static int
write_xml_check_one(struct writer *w, const struct record *rec,
    const struct source *s, const char *what, const char *name,
    const char *value, int is_time, const char *then)
{
	char why[80], quoted[WRITE_XML_QUOTE_MAX + 4];
	size_t n;

	if (write_xml_uncarriable(value, is_time, why, sizeof why) == 0)
		return 1;
	/* At most WRITE_XML_QUOTE_MAX bytes, cut between UTF-8 sequences. */
	n = strlen(value);
	if (n > WRITE_XML_QUOTE_MAX) {
		n = WRITE_XML_QUOTE_MAX;
		while (n > 0 && ((unsigned char)value[n] & 0xc0) == 0x80)
			n--;
		snprintf(quoted, sizeof quoted, "%.*s...", (int)n, value);
	} else
		snprintf(quoted, sizeof quoted, "%s", value);
	diag_report(w->diag, DIAG_REJECT, s != NULL ? s->v[S_FILE] : NULL,
	    s != NULL ? s->v[S_AT] : NULL,
	    "%s%s%s \"%s\": %s; %s %s left out of the XML output", what,
	    name != NULL ? " " : "", name != NULL ? name : "", quoted, why,
	    then, rec->f[F_ID] != NULL ? rec->f[F_ID] : "(no id)");
	return 0;
}

/*
 * 0 when XML 1.0 can carry s; else -1 with why (of size n) saying why
 * not. With is_time, s is a canonical timestamp (record.h) and must also
 * be an xs:dateTime, which has no leap second and no year 0000.
 */
static int
write_xml_uncarriable(const char *s, int is_time, char *why, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		uint32_t c = *p, min = 0;
		int len = 1;

		if (c >= 0x80 && (c & 0xe0) == 0xc0) {
			len = 2;
			c &= 0x1f;
			min = 0x80;
		} else if (c >= 0x80 && (c & 0xf0) == 0xe0) {
			len = 3;
			c &= 0x0f;
			min = 0x800;
		} else if (c >= 0x80 && (c & 0xf8) == 0xf0) {
			len = 4;
			c &= 0x07;
			min = 0x10000;
		} else if (c >= 0x80)
			goto not_utf8;
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				goto not_utf8;
			c = c << 6 | (p[i] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			goto not_utf8;
		/* XML 1.0, production [2] Char */
		if (!(c == 0x9 || c == 0xa || c == 0xd ||
		    (c >= 0x20 && c <= 0xd7ff) ||
		    (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000)) {
			snprintf(why, n, "holds U+%04X, which XML 1.0 cannot "
			    "carry", (unsigned)c);
			return -1;
		}
		p += len;
	}
	if (is_time && strncmp(s, "0000", 4) == 0) {
		snprintf(why, n, "is in the year 0000, which xs:dateTime "
		    "cannot carry");
		return -1;
	}
	if (is_time && strlen(s) >= 19 && strncmp(s + 17, "60", 2) == 0) {
		snprintf(why, n, "is a leap second, which xs:dateTime cannot "
		    "carry");
		return -1;
	}
	return 0;

not_utf8:
	snprintf(why, n, "is not valid UTF-8");
	return -1;
}

static enum rc
write_xml_finish(struct writer *w)
{
	struct write_xml *x = w->priv;
	struct output *o;
	int err = 0;

	if (x->failed)
		return RC_FATAL;
	err |= xmlTextWriterEndElement(x->xw) < 0;	/* </images> and LF */
	err |= xmlTextWriterEndDocument(x->xw) < 0;
	err |= xmlTextWriterFlush(x->xw) < 0;
	if (err || x->failed)
		return write_xml_error(w);
	xmlFreeTextWriter(x->xw);	/* flushes its buffer */
	x->xw = NULL;
	if (x->failed)
		return RC_FATAL;
	o = x->out;
	x->out = NULL;
	return output_commit(o);
}

static void
write_xml_free(struct writer *w)
{
	struct write_xml *x = w->priv;

	if (x == NULL)
		return;
	if (x->xw != NULL) {
		/* Nothing more may reach the output, not even a flush. */
		x->discard = 1;
		xmlFreeTextWriter(x->xw);
	}
	output_abort(x->out);
	xmlSetGenericErrorFunc(x->saved_err_ctx, x->saved_err);
	free(x);
	w->priv = NULL;
}
