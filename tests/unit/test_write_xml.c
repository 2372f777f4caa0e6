/*
 * test_write_xml.c: the xml writer (DESIGN.md section 5). The exact bytes
 * of a record with hostile text (written by hand from XML 1.0's escaping
 * rules), every document valid against formats/imgmeta.xsd (libxml2's
 * xmlSchemaValidateDoc; $top_srcdir names the source tree), values read
 * back equal to what was written, and values that XML cannot carry
 * rejected at their source with the record left out.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "writer.h"
#include "t.h"
#include "tutil.h"

extern const struct writer_ops write_xml_ops;

#define ID_A	"11111111-1111-4111-8111-111111111111"
#define ID_B	"22222222-2222-4222-8222-222222222222"
#define ID_C	"33333333-3333-4333-8333-333333333333"
#define NS	"urn:imgmeta:1"
#define XSI	"http://www.w3.org/2001/XMLSchema-instance"

/* Hostile text: markup, quotes, tab, LF, CR, 2-, 3- and 4-byte UTF-8. */
#define HOSTILE	"a<b&c]]>d\"e'f\tg\nh\ri \xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80"

/* What the diag sink saw. */
static struct {
	int	 n;
	int	 kind;
	char	 file[256], pos[64], msg[512];
} seen;

static char dir[] = "/tmp/imgmeta-test-write-xml-XXXXXX";
static char path[256];
static xmlSchemaPtr schema;
static char schema_err[512];

static void	sink(void *, enum diag_kind, const char *, const char *,
		    const char *);
static void	schema_error(void *, const char *, ...);
static void	full(struct record *);
static void	small(struct record *, const char *id);
static char	*run(struct record *, size_t, struct diag *);
static xmlDocPtr parse(const char *);
static int	valid(xmlDocPtr);
static xmlNodePtr child(xmlNodePtr, const char *, int);
static char	*text(xmlNodePtr);
static char	*attr(xmlNodePtr, const char *);
static void	test_exact(void);
static void	test_read_back(void);
static void	test_empty(void);
static void	test_schema_is_strict(void);
static void	test_rejects(void);
static void	test_open_fails(void);

static void
sink(void *arg, enum diag_kind kind, const char *file, const char *pos,
    const char *msg)
{
	(void)arg;
	seen.n++;
	seen.kind = kind;
	snprintf(seen.file, sizeof seen.file, "%s", file ? file : "(null)");
	snprintf(seen.pos, sizeof seen.pos, "%s", pos ? pos : "(null)");
	snprintf(seen.msg, sizeof seen.msg, "%s", msg);
}

static void
schema_error(void *arg, const char *fmt, ...)
{
	va_list ap;
	size_t n = strlen(schema_err);

	(void)arg;
	va_start(ap, fmt);
	if (n < sizeof schema_err - 1)
		vsnprintf(schema_err + n, sizeof schema_err - n, fmt, ap);
	va_end(ap);
}

/*
 * Every field set, hostile text in name, a property key, a property value
 * and a source file name; a null property and an empty one; two sources.
 * Fields come from source 1 except name (source 0).
 */
static void
full(struct record *r)
{
	struct source *s;

	record_init(r);
	record_set_raw(r, F_ID, ID_A);
	record_set_raw(r, F_NAME, HOSTILE);
	record_set_raw(r, F_STATUS, "pending_delete");
	record_set_raw(r, F_VISIBILITY, "public");
	record_set_raw(r, F_PROTECTED, "false");
	record_set_raw(r, F_CONTAINER_FORMAT, "bare");
	record_set_raw(r, F_DISK_FORMAT, "qcow2");
	record_set_raw(r, F_SIZE, "9223372036854775807");
	record_set_raw(r, F_VIRTUAL_SIZE, "0");
	record_set_raw(r, F_CHECKSUM, "64d7c1cd2b6f60c92c14662941cb7913");
	record_set_raw(r, F_MIN_RAM, "512");
	record_set_raw(r, F_MIN_DISK, "1");
	record_set_raw(r, F_OWNER, "");
	record_set_raw(r, F_CREATED_AT, "2016-05-22T06:04:20.425843Z");
	record_set_raw(r, F_UPDATED_AT, "2016-05-22T06:04:22Z");
	record_set_raw(r, F_DELETED, "true");
	record_set_raw(r, F_DELETED_AT, "2016-05-23T00:00:00.5Z");
	record_prop_set(r, "nil", NULL);
	record_prop_set(r, "k<&\"'>", "v]]>&<");
	record_prop_set(r, "empty", "");
	record_sort(r);
	s = record_add_source(r);
	source_set(s, S_FILE, "dir/a&b<c>\"q'\t\xc3\xa9.json");
	source_set(s, S_AT, "0#/images/0");
	source_set(s, S_API, "v1.1");
	source_set(s, S_CALL, "detail");
	source_set(s, S_STATUS, "active");
	s = record_add_source(r);
	source_set(s, S_FILE, "head.txt");
	source_set(s, S_AT, "12");
	source_set(s, S_API, "v1");
	source_set(s, S_CALL, "head");
	source_set(s, S_DATE, "2016-05-23T02:29:54Z");
	source_set(s, S_REQUEST_ID, "req-1");
	source_set(s, S_PROJECT_ID, "p");
	source_set(s, S_STATUS, "pending_delete");
	source_set(s, S_URL, "/v1/images/" ID_A "?a=1&b=2");
	for (int i = 0; i < F__COUNT; i++)
		r->fsrc[i] = 1;
	r->fsrc[F_NAME] = 0;
	for (size_t i = 0; i < r->nprops; i++)
		r->props[i].src = 1;
}

/* Only an id and name "n", from one source "f.json" at "7". */
static void
small(struct record *r, const char *id)
{
	struct source *s;

	record_init(r);
	record_set_raw(r, F_ID, id);
	record_set_raw(r, F_NAME, "n");
	s = record_add_source(r);
	source_set(s, S_FILE, "f.json");
	source_set(s, S_AT, "7");
	source_set(s, S_API, "v2.1");
	source_set(s, S_CALL, "show");
}

/* Writes the records into path through the writer; the file's text, or
 * NULL if the writer failed. */
static char *
run(struct record *recs, size_t n, struct diag *d)
{
	struct writer w = { .ops = &write_xml_ops, .diag = d };
	enum rc rc;

	unlink(path);
	rc = w.ops->open(&w, path);
	for (size_t i = 0; rc == RC_OK && i < n; i++)
		rc = w.ops->write(&w, &recs[i]);
	if (rc == RC_OK)
		rc = w.ops->finish(&w);
	w.ops->free(&w);
	return rc == RC_OK ? tu_slurp(path) : NULL;
}

static xmlDocPtr
parse(const char *s)
{
	if (s == NULL)
		return NULL;
	return xmlReadMemory(s, (int)strlen(s), "out.xml", NULL,
	    XML_PARSE_NONET);
}

/* 1 if the document is valid against the XSD; else 0, why in schema_err. */
static int
valid(xmlDocPtr doc)
{
	xmlSchemaValidCtxtPtr v;
	int r;

	schema_err[0] = '\0';
	if (doc == NULL) {
		snprintf(schema_err, sizeof schema_err, "not well-formed");
		return 0;
	}
	if ((v = xmlSchemaNewValidCtxt(schema)) == NULL)
		return 0;
	xmlSchemaSetValidErrors(v, schema_error, schema_error, NULL);
	r = xmlSchemaValidateDoc(v, doc);
	xmlSchemaFreeValidCtxt(v);
	return r == 0;
}

/* The nth (from 0) child element named name, in the imgmeta namespace. */
static xmlNodePtr
child(xmlNodePtr n, const char *name, int nth)
{
	for (n = n != NULL ? n->children : NULL; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, name) == 0 &&
		    n->ns != NULL &&
		    strcmp((const char *)n->ns->href, NS) == 0 && nth-- == 0)
			return n;
	return NULL;
}

/* Text content; static storage, "(absent)" for no element. */
static char *
text(xmlNodePtr n)
{
	static char b[512];
	xmlChar *c;

	if (n == NULL)
		return strcpy(b, "(absent)");
	c = xmlNodeGetContent(n);
	snprintf(b, sizeof b, "%s", c != NULL ? (const char *)c : "");
	xmlFree(c);
	return b;
}

static char *
attr(xmlNodePtr n, const char *name)
{
	static char b[512];
	xmlChar *c = n != NULL ? xmlGetNoNsProp(n,
	    (const xmlChar *)name) : NULL;

	if (c == NULL)
		return strcpy(b, "(absent)");
	snprintf(b, sizeof b, "%s", (const char *)c);
	xmlFree(c);
	return b;
}

/*
 * The whole document, byte for byte. Escaping, by hand: in text, < > &
 * and " become entities and CR becomes &#13; (a parser would turn a raw
 * CR into LF), tab and LF stay; in attributes, tab, LF and CR become
 * &#9; &#10; &#13; (a parser would turn them into spaces). Non-ASCII is
 * written as UTF-8, ' as itself. Properties sorted bytewise: "empty" <
 * "k<..." < "nil".
 */
static void
test_exact(void)
{
	static const char want[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<images xmlns=\"urn:imgmeta:1\" "
	    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
	    "  <image>\n"
	    "    <id>11111111-1111-4111-8111-111111111111</id>\n"
	    "    <name>a&lt;b&amp;c]]&gt;d&quot;e'f\tg\nh&#13;i "
	    "\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80</name>\n"
	    "    <status>pending_delete</status>\n"
	    "    <visibility>public</visibility>\n"
	    "    <protected>false</protected>\n"
	    "    <container_format>bare</container_format>\n"
	    "    <disk_format>qcow2</disk_format>\n"
	    "    <size>9223372036854775807</size>\n"
	    "    <virtual_size>0</virtual_size>\n"
	    "    <checksum>64d7c1cd2b6f60c92c14662941cb7913</checksum>\n"
	    "    <min_ram>512</min_ram>\n"
	    "    <min_disk>1</min_disk>\n"
	    "    <owner></owner>\n"
	    "    <created_at>2016-05-22T06:04:20.425843Z</created_at>\n"
	    "    <updated_at>2016-05-22T06:04:22Z</updated_at>\n"
	    "    <deleted>true</deleted>\n"
	    "    <deleted_at>2016-05-23T00:00:00.5Z</deleted_at>\n"
	    "    <properties>\n"
	    "      <property key=\"empty\"></property>\n"
	    "      <property key=\"k&lt;&amp;&quot;'&gt;\">v]]&gt;&amp;&lt;"
	    "</property>\n"
	    "      <property key=\"nil\" xsi:nil=\"true\"/>\n"
	    "    </properties>\n"
	    "    <sources>\n"
	    "      <source file=\"dir/a&amp;b&lt;c&gt;&quot;q'&#9;\xc3\xa9.json\""
	    " at=\"0#/images/0\" api=\"v1.1\" call=\"detail\""
	    " status=\"active\"/>\n"
	    "      <source file=\"head.txt\" at=\"12\" api=\"v1\" call=\"head\""
	    " date=\"2016-05-23T02:29:54Z\" request_id=\"req-1\""
	    " project_id=\"p\" status=\"pending_delete\""
	    " url=\"/v1/images/11111111-1111-4111-8111-111111111111?a=1&amp;b=2\"/>\n"
	    "    </sources>\n"
	    "  </image>\n"
	    "  <image>\n"
	    "    <id>22222222-2222-4222-8222-222222222222</id>\n"
	    "    <name>n</name>\n"
	    "    <properties/>\n"
	    "    <sources>\n"
	    "      <source file=\"f.json\" at=\"7\" api=\"v2.1\" call=\"show\"/>\n"
	    "    </sources>\n"
	    "  </image>\n"
	    "</images>\n";
	struct record r[2];
	struct diag d;
	char *a, *b;
	xmlDocPtr doc;

	diag_init(&d, sink, NULL);
	full(&r[0]);
	small(&r[1], ID_B);
	a = run(r, 2, &d);
	T_STR(a, want, "the document, byte for byte");
	T_INT(d.n.rejects + d.n.errors, 0, "nothing reported");
	doc = parse(a);
	T_OK(valid(doc), "valid against imgmeta.xsd");
	if (schema_err[0] != '\0')
		printf("# %s", schema_err);
	xmlFreeDoc(doc);
	b = run(r, 2, &d);
	T_STR(b, a, "the same records give the same bytes");
	free(a);
	free(b);
	record_clear(&r[0]);
	record_clear(&r[1]);
}

/* Parsed back, every value is what was written. */
static void
test_read_back(void)
{
	struct record r;
	struct diag d;
	xmlDocPtr doc;
	xmlNodePtr img, props, p, srcs, s;
	char *out;

	diag_init(&d, sink, NULL);
	full(&r);
	out = run(&r, 1, &d);
	doc = parse(out);
	T_OK(doc != NULL, "the output parses");
	img = child(doc != NULL ? xmlDocGetRootElement(doc) : NULL, "image", 0);
	for (int i = 0; i < F__COUNT; i++)
		T_STR(text(child(img, field_info[i].name, 0)), r.f[i],
		    field_info[i].name);
	props = child(img, "properties", 0);
	for (size_t i = 0; i < r.nprops; i++) {
		xmlChar *nil;

		p = child(props, "property", (int)i);
		T_STR(attr(p, "key"), r.props[i].key, "property key");
		nil = p != NULL ? xmlGetNsProp(p, (const xmlChar *)"nil",
		    (const xmlChar *)XSI) : NULL;
		if (r.props[i].value == NULL)
			T_STR((const char *)nil, "true",
			    "a null property is xsi:nil");
		else {
			T_OK(nil == NULL, "a property with a value is not nil");
			T_STR(text(p), r.props[i].value, "property value");
		}
		xmlFree(nil);
	}
	T_OK(child(props, "property", (int)r.nprops) == NULL,
	    "no other property");
	srcs = child(img, "sources", 0);
	for (size_t i = 0; i < r.nsrcs; i++) {
		s = child(srcs, "source", (int)i);
		for (int k = 0; k < S__COUNT; k++)
			T_STR(attr(s, source_field_name[k]),
			    r.srcs[i].v[k] != NULL ? r.srcs[i].v[k] :
			    "(absent)", source_field_name[k]);
	}
	xmlFreeDoc(doc);
	free(out);
	record_clear(&r);
}

static void
test_empty(void)
{
	struct diag d;
	char *out;
	xmlDocPtr doc;

	diag_init(&d, sink, NULL);
	out = run(NULL, 0, &d);
	T_STR(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<images xmlns=\"urn:imgmeta:1\" "
	    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"/>\n",
	    "no records: an empty <images/>");
	doc = parse(out);
	T_OK(valid(doc), "an empty document is valid");
	xmlFreeDoc(doc);
	free(out);
}

/* The schema says what the record says: broken values do not pass. */
static void
test_schema_is_strict(void)
{
	static const struct {
		const char	*inner;
		const char	*what;
	} bad[] = {
		{ "<id>11111111-1111-4111-8111-11111111111A</id>",
		    "an upper-case uuid" },
		{ "<id>" ID_A "</id><status>ACTIVE</status>",
		    "a Nova status" },
		{ "<id>" ID_A "</id><visibility>hidden</visibility>",
		    "visibility hidden" },
		{ "<id>" ID_A "</id><protected>1</protected>",
		    "boolean 1" },
		{ "<id>" ID_A "</id><size>-1</size>", "a negative size" },
		{ "<id>" ID_A "</id><size>9223372036854775808</size>",
		    "a size over 2^63-1" },
		{ "<id>" ID_A "</id><size>007</size>", "leading zeros" },
		{ "<id>" ID_A "</id><checksum>64D7C1CD2B6F60C92C14662941CB7913"
		    "</checksum>", "an upper-case md5" },
		{ "<id>" ID_A "</id><created_at>2016-05-22T06:04:20</created_at>",
		    "a timestamp without Z" },
		{ "<id>" ID_A "</id><created_at>2016-05-22T06:04:20+01:00"
		    "</created_at>", "a timestamp with an offset" },
		{ "<id>" ID_A "</id><name>a</name><id>" ID_A "</id>",
		    "fields out of order" },
	};
	char doc[1024];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		xmlDocPtr x;

		snprintf(doc, sizeof doc, "<images xmlns=\"" NS "\"><image>%s"
		    "<properties/><sources><source file=\"f\" at=\"0\" "
		    "api=\"v1\" call=\"head\"/></sources></image></images>",
		    bad[i].inner);
		x = parse(doc);
		T_OK(x != NULL && !valid(x), bad[i].what);
		xmlFreeDoc(x);
	}
	snprintf(doc, sizeof doc, "<images xmlns=\"" NS "\">"
	    "<image><id>" ID_A "</id><properties/><sources><source file=\"f\" "
	    "at=\"0\" api=\"v1\" call=\"head\"/></sources></image>"
	    "<image><id>" ID_A "</id><properties/><sources><source file=\"f\" "
	    "at=\"0\" api=\"v1\" call=\"head\"/></sources></image></images>");
	{
		xmlDocPtr x = parse(doc);

		T_OK(x != NULL && !valid(x), "two images with one id");
		xmlFreeDoc(x);
	}
	/* api: any reader's name (lower case, digits, . _ -), so that a
	 * new reader needs no change here; nothing else. */
	{
		static const struct {
			const char	*api;
			int		 ok;
		} apis[] = {
			{ "v1", 1 }, { "v1.1", 1 }, { "v2.1", 1 }, { "v2", 1 },
			{ "os-migrate_1.0", 1 }, { "", 0 }, { "v 1", 0 },
			{ "V1", 0 }, { "-v1", 0 }, { "v1/x", 0 },
		};

		for (size_t i = 0; i < sizeof apis / sizeof apis[0]; i++) {
			xmlDocPtr x;
			char what[64];

			snprintf(doc, sizeof doc, "<images xmlns=\"" NS "\">"
			    "<image><id>" ID_A "</id><properties/><sources>"
			    "<source file=\"f\" at=\"0\" api=\"%s\" "
			    "call=\"head\"/></sources></image></images>",
			    apis[i].api);
			snprintf(what, sizeof what, "api \"%s\" %s",
			    apis[i].api, apis[i].ok ? "valid" : "invalid");
			x = parse(doc);
			T_OK(x != NULL && valid(x) == apis[i].ok, what);
			xmlFreeDoc(x);
		}
	}
}

/*
 * A value XML cannot carry: one reject at the position of the source that
 * gave it, the record left out, the records around it written.
 */
static void
test_rejects(void)
{
	static const struct {
		const char	*value;
		int		 where;	/* 0 name, 1 property value,
					   2 property key, 3 source request_id,
					   4 created_at, 5 source file,
					   6 source date */
		const char	*why;	/* NULL: accepted */
	} cases[] = {
		{ "a\x01" "b", 0, "holds U+0001, which XML 1.0 cannot carry" },
		{ "\x1f", 0, "holds U+001F" },
		{ "a\x0b", 1, "holds U+000B" },
		{ "\x0c", 2, "holds U+000C" },
		{ "req\x1b[0m", 3, "holds U+001B" },
		{ "x\xef\xbf\xbe", 0, "holds U+FFFE" },
		{ "x\xef\xbf\xbf", 1, "holds U+FFFF" },
		{ "f\x02.json", 5, "holds U+0002" },
		{ "f\xff.json", 5, "is not valid UTF-8" },
		{ "f\xed\xa0\x80.json", 5, "is not valid UTF-8" },
		{ "2016-12-31T23:59:60Z", 4,
		    "is a leap second, which xs:dateTime cannot carry" },
		{ "2016-12-31T23:59:60.5Z", 6, "is a leap second" },
		{ "0000-01-01T00:00:00Z", 4, "is in the year 0000" },
		/* what XML 1.0 can carry */
		{ "tab\tlf\ncr\r", 0, NULL },
		{ "del\x7f c1\xc2\x85 fffd\xef\xbf\xbd", 1, NULL },
		{ "max\xf4\x8f\xbf\xbf", 2, NULL },
		{ "bmp-end\xed\x9f\xbf private\xee\x80\x80", 0, NULL },
		{ "2016-12-31T23:59:59.999Z", 4, NULL },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct record r[3];
		struct source *s;
		struct diag d;
		char *out, what[128];
		xmlDocPtr doc;
		int where = cases[i].where;

		diag_init(&d, sink, NULL);
		memset(&seen, 0, sizeof seen);
		small(&r[0], ID_A);
		small(&r[1], ID_B);
		small(&r[2], ID_C);
		/* B has a second source, at "99", which gives the value. */
		s = record_add_source(&r[1]);
		source_set(s, S_FILE, "g.json");
		source_set(s, S_AT, "99");
		source_set(s, S_API, "v1");
		source_set(s, S_CALL, "head");
		switch (where) {
		case 0:
			record_set_raw(&r[1], F_NAME, cases[i].value);
			r[1].fsrc[F_NAME] = 1;
			break;
		case 1:
		case 2:
			record_prop_set(&r[1], where == 1 ? "k" :
			    cases[i].value, where == 1 ? cases[i].value : "v");
			r[1].props[0].src = 1;
			break;
		case 3:
			source_set(s, S_REQUEST_ID, cases[i].value);
			break;
		case 4:
			record_set_raw(&r[1], F_CREATED_AT, cases[i].value);
			r[1].fsrc[F_CREATED_AT] = 1;
			break;
		case 5:
			/* Not through source_set, which reads text that is
			 * not UTF-8 as ISO-8859-1: the writer must not trust
			 * that. */
			free(s->v[S_FILE]);
			s->v[S_FILE] = xstrdup(cases[i].value);
			break;
		case 6:
			source_set(s, S_DATE, cases[i].value);
			break;
		}
		out = run(r, 3, &d);
		doc = parse(out);
		snprintf(what, sizeof what, "case %zu: written and valid", i);
		T_OK(out != NULL && valid(doc), what);
		snprintf(what, sizeof what, "case %zu: A and C written", i);
		T_OK(out != NULL && strstr(out, ID_A) != NULL &&
		    strstr(out, ID_C) != NULL, what);
		if (cases[i].why == NULL) {
			snprintf(what, sizeof what, "case %zu: accepted", i);
			T_INT(seen.n, 0, what);
			snprintf(what, sizeof what, "case %zu: B written", i);
			T_OK(out != NULL && strstr(out, ID_B) != NULL, what);
		} else {
			snprintf(what, sizeof what, "case %zu: one reject", i);
			T_INT(d.n.rejects, 1, what);
			T_INT(seen.kind, DIAG_REJECT, what);
			snprintf(what, sizeof what, "case %zu: B left out", i);
			T_OK(out != NULL && strstr(out, ID_B) == NULL, what);
			snprintf(what, sizeof what, "case %zu: at the source "
			    "that gave the value", i);
			T_STR(seen.pos, "99", what);
			if (where != 5)
				T_STR(seen.file, "g.json", what);
			snprintf(what, sizeof what, "case %zu: says why", i);
			T_OK(strstr(seen.msg, cases[i].why) != NULL &&
			    strstr(seen.msg, "image " ID_B " left out of the "
			    "XML output") != NULL, what);
			if (strstr(seen.msg, cases[i].why) == NULL)
				printf("# message: %s\n", seen.msg);
		}
		xmlFreeDoc(doc);
		free(out);
		for (int k = 0; k < 3; k++)
			record_clear(&r[k]);
	}

	/* The message quotes the value, and names field and source. */
	{
		struct record r;
		struct diag d;
		char *out;

		diag_init(&d, sink, NULL);
		small(&r, ID_A);
		record_set_raw(&r, F_OWNER, "o\x07wn");
		out = run(&r, 1, &d);
		T_STR(seen.msg, "field owner \"o\x07wn\": holds U+0007, which "
		    "XML 1.0 cannot carry; image " ID_A " left out of the XML "
		    "output", "the reject message");
		T_STR(seen.file, "f.json", "the reject names the file");
		T_STR(seen.pos, "7", "the reject names the position");
		free(out);
		record_clear(&r);
	}
}

static void
test_open_fails(void)
{
	struct writer w = { .ops = &write_xml_ops };
	struct diag d;
	char bad[300];

	diag_init(&d, NULL, NULL);
	w.diag = &d;
	snprintf(bad, sizeof bad, "%s/no/such/dir/out.xml", dir);
	T_INT(w.ops->open(&w, bad), RC_FATAL, "open in a missing directory");
	T_INT(d.n.errors, 1, "one error reported");
	w.ops->free(&w);
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	xmlSchemaParserCtxtPtr pc;
	char xsd[1024];

	LIBXML_TEST_VERSION
	if (top == NULL)
		top = ".";
	snprintf(xsd, sizeof xsd, "%s/formats/imgmeta.xsd", top);
	pc = xmlSchemaNewParserCtxt(xsd);
	schema = pc != NULL ? xmlSchemaParse(pc) : NULL;
	xmlSchemaFreeParserCtxt(pc);
	if (schema == NULL) {
		printf("Bail out! cannot load %s (set top_srcdir)\n", xsd);
		return 99;
	}
	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(path, sizeof path, "%s/out.xml", dir);

	test_exact();
	test_read_back();
	test_empty();
	test_schema_is_strict();
	test_rejects();
	test_open_fails();

	unlink(path);
	rmdir(dir);
	xmlSchemaFree(schema);
	xmlCleanupParser();
	return t_done();
}
