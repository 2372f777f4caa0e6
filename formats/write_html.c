/*
 * write_html.c: one self-contained HTML page for people: the run, charts
 * over every image, what is in doubt, and every image with its sources.
 *
 * The page loads nothing: its style and its few lines of script are
 * inline, and a Content-Security-Policy meta tag (default-src 'none')
 * allows exactly those two, by their SHA-256 hashes (libcrypto). The
 * charts are inline SVG drawn here. Every text that came from an input
 * (names, values, file names, messages) is escaped, so markup in a
 * capture shows as text. Bytes that are not UTF-8 and control characters
 * show as \xNN.
 *
 * Sections: the run (version, command line, start time, the summary's
 * counts); for every imgmeta database named on the command line, what it
 * holds of its own runs and their rejects; charts (images by status,
 * visibility, disk format, the APIs that observed them, size, month of
 * creation); conflicts, rejects and warnings; the list pages whose next
 * page is missing (the page hook); then the images, in pages of
 * WRITE_HTML_PAGE (each page a <details>, the first open).
 *
 * A page of images is one block of text (<pre class="rows">), which a
 * browser lays out far faster than a table of a thousand rows: a header
 * line, then for each image a line of its fields, tab-separated and
 * padded into columns (the style makes a tab one space wide), its number
 * of sources last, and under it lines that start with a tab: its
 * properties, a line each, then a line for each source (which capture, at
 * what position, what date) and what it said. So every image reads
 * without script. The script turns each page that is open into a table
 * whose rows show their sources on a click, adds a filter box, and sorts
 * by a column's header; filter and sort cover every page.
 *
 * Memory holds the chart counts (a bounded number of keys each), the
 * observations of one record and the text of one page of images: pages,
 * conflicts and rejects are written to scratch files (output_scratch) as
 * they come, and copied into the page at finish, after the head and the
 * charts, which need every record.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "digest.h"
#include "imgmeta_db.h"
#include "output.h"
#include "record_json.h"
#include "writer.h"

#include "formats/schema_sql.h"

#define WRITE_HTML_PAGE		1000	/* images per page of the table */
#define WRITE_HTML_KEYS		200	/* distinct keys a chart counts */
#define WRITE_HTML_MONTHS	1200	/* distinct months counted */
#define WRITE_HTML_LABEL	24	/* characters of a chart label */
#define WRITE_HTML_COLUMN	40	/* widest padding of a page's column */
#define WRITE_HTML_STR(x)	WRITE_HTML_STR2(x)
#define WRITE_HTML_STR2(x)	#x

/* A chart's counts: one per key (NULL: no value), then "other". */
struct write_html_count {
	char		*key;
	uint64_t	 n;
};

struct write_html_tally {
	const char		*id;	/* the chart's element id */
	const char		*title;
	struct write_html_count	*v;
	size_t			 n;
	size_t			 max;	/* keys kept; the rest go to other */
	uint64_t		 other;
	int			 sorted; /* by key (months), else by count */
};

enum write_html_chart {
	WH_STATUS,
	WH_VISIBILITY,
	WH_DISK,
	WH_APIS,
	WH_SIZE,
	WH_MONTH,
	WH__COUNT
};

/* How write_html_escn escapes. */
enum write_html_esc_mode {
	WH_TEXT,	/* an element's text */
	WH_ATTR,	/* an attribute's value */
	WH_LINE		/* one line or field of a text block */
};

/* Which scratch file a text goes to. */
enum write_html_scratch {
	WS_ROWS,	/* the pages of images */
	WS_CONFLICTS,
	WS_REJECTS,
	WS_WARNINGS,
	WS_INPUTS,
	WS_PAGES,	/* list pages whose next page is not an input */
	WS__COUNT
};

struct write_html {
	struct output		*out;
	FILE			*scratch[WS__COUNT];
	uint64_t		 nscratch[WS__COUNT];	/* rows in each */
	struct write_html_tally	 chart[WH__COUNT];
	uint64_t		 images;
	struct buf		 page;		/* its images' lines, unpadded */
	size_t			 page_images;
	size_t			 width[F__COUNT + 1]; /* its columns' */
	char			 started[32];	/* RFC 3339 UTC */
	char			*cur_id;	/* whose observations these are */
	struct buf		 obs;		/* their rows in the sources */
	size_t			 nobs;
	struct buf		 b;		/* the text being built */
	struct buf		 said;
};

static enum rc	write_html_open(struct writer *, const char *);
static enum rc	write_html_write(struct writer *, const struct record *);
static enum rc	write_html_observe(struct writer *, const struct record *,
		    int, int);
static enum rc	write_html_reject(struct writer *, const char *,
		    const char *, const char *);
static enum rc	write_html_warning(struct writer *, const char *,
		    const char *, const char *);
static enum rc	write_html_conflict(struct writer *,
		    const struct conflict *);
static enum rc	write_html_input(struct writer *,
		    const struct writer_input *);
static enum rc	write_html_page(struct writer *, const struct page *,
		    enum page_next, const struct page *);
static enum rc	write_html_finish(struct writer *);
static void	write_html_free(struct writer *);
static void	write_html_esc(struct buf *, const char *);
static void	write_html_line(struct buf *, const char *);
static void	write_html_escn(struct buf *, const char *, size_t, int);
static void	write_html_attr(struct buf *, const char *);
static void	write_html_label(struct buf *, const char *);
static void	write_html_count_key(struct write_html_tally *,
		    const char *);
static int	write_html_count_cmp_n(const void *, const void *);
static int	write_html_count_cmp_key(const void *, const void *);
static void	write_html_tally_record(struct write_html *,
		    const struct record *);
static const char *write_html_size_bucket(const char *);
static void	write_html_chart_svg(struct buf *, struct write_html_tally *);
static void	write_html_columns_svg(struct buf *,
		    struct write_html_tally *);
static enum rc	write_html_put(struct writer *, enum write_html_scratch,
		    struct buf *);
static enum rc	write_html_flush(struct writer *, struct buf *);
static enum rc	write_html_doubt(struct writer *, struct buf *,
		    enum write_html_scratch, const char *, const char *,
		    const char *);
static enum rc	write_html_copy(struct writer *, enum write_html_scratch);
static size_t	write_html_width(const char *, size_t);
static void	write_html_field(struct write_html *, size_t, const char *);
static void	write_html_padded(struct buf *, struct write_html *,
		    const char *, size_t);
static enum rc	write_html_page_end(struct writer *);
static void	write_html_source(struct buf *, const struct source *);
static void	write_html_source_line(struct buf *, size_t,
		    const struct source *);
static void	write_html_head(struct writer *, struct buf *);
static void	write_html_run(struct writer *, struct buf *);
static enum rc	write_html_databases(struct writer *, struct buf *);
static enum rc	write_html_database(struct writer *, struct buf *,
		    const char *);
static enum rc	write_html_db_table(struct writer *, struct buf *,
		    sqlite3 *, const char *, const char *,
		    const char *const *, const char *);
static void	write_html_csp_hash(struct buf *, const char *);

static const char *const write_html_suffixes[] = { ".html", ".htm", NULL };

const struct writer_ops write_html_ops = {
	.name = "html",
	.suffixes = write_html_suffixes,
	.to_stdout = 1,
	.open = write_html_open,
	.write = write_html_write,
	.finish = write_html_finish,
	.free = write_html_free,
	.reject = write_html_reject,
	.warn = write_html_warning,
	.conflict = write_html_conflict,
	.input = write_html_input,
	.observe = write_html_observe,
	.page = write_html_page,
};

/* The page's style and script: the CSP allows them by their hashes. */
static const char write_html_style[] =
"body{font:14px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}"
"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}"
"table{border-collapse:collapse}"
"td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;"
"vertical-align:top}"
"th{background:#eee;white-space:nowrap}th[data-col]{cursor:pointer}"
"td.n,th.n{text-align:right}td.id{white-space:nowrap;font-family:monospace}"
".wrap{overflow-x:auto}"
"td.v{font-family:monospace;white-space:pre-wrap;overflow-wrap:anywhere;"
"min-width:24ch;max-width:60ch}"
".charts{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}"
".chart{border:1px solid #ddd;padding:.5em}"
".chart h3{font-size:1em;margin:0 0 .3em}"
"svg text{font:12px sans-serif;fill:#222}"
"svg rect{fill:#4a7ab5}"
"dl.counts{display:grid;grid-template-columns:max-content max-content;"
"gap:0 1em}dl.counts dd{margin:0;text-align:right}"
"summary{cursor:pointer}"
".none{color:#888;font-style:italic}"
"#filter{margin:.5em 0;width:30em}"
"table.empty{display:none}"
"pre.rows{tab-size:1;margin:.3em 0}"
"table.images td{white-space:nowrap}"
"table.images td:nth-child(2){font-family:monospace}"
"table.images button{font:inherit;min-width:3em}"
"tr.src pre{margin:.3em 0;white-space:pre-wrap;overflow-wrap:anywhere;"
"max-width:80em}"
"details.page>div{content-visibility:auto;"
"contain-intrinsic-size:auto 30000px}";

/*
 * The script: a page's text (see the top of this file) back into items
 * {f: fields, the sources count last; s: the lines under them}, a page
 * that is open as a table, and the filter and the sort over the items of
 * every page, dealt into the pages again (a closed page gets its text).
 */
static const char write_html_script[] =
"(function(){'use strict';"
"var d=document,q=d.getElementById('filter'),"
"o=d.getElementById('matches'),g=d.getElementById('pages'),"
"N=" WRITE_HTML_STR(WRITE_HTML_PAGE) ",W=" WRITE_HTML_STR(WRITE_HTML_COLUMN)
",P,H=null,num={},all=null,cur=null,s=-1,up=1,tm=0;"
"d.documentElement.setAttribute('data-script','ran');"
"if(!g||!q)return;"
"P=[].slice.call(g.querySelectorAll('details.page'));"
"g.getAttribute('data-num').split(' ').forEach(function(k){num[k]=1;});"
"function trim(v){return v.replace(/^ +| +$/g,'');}"
"function items(p){var L,x=null,i,l;if(p.it)return p.it;p.it=[];"
"L=p.querySelector('pre').textContent.split('\\n');"
"H=H||L[0].split('\\t').map(trim);"
"for(i=1;i<L.length;i++){l=L[i];"
"if(l.charAt(0)==='\\t'){if(x)x.s.push(l.slice(2));}"
"else if(l){x={f:l.split('\\t').map(trim),s:[]};p.it.push(x);}}"
"return p.it;}"
"function box(p,e){var b=p.querySelector('div');b.textContent='';"
"b.appendChild(e);}"
"function text(p){var w=H.map(function(h){return h.length;}),L=[],"
"e=d.createElement('pre');"
"p.it.forEach(function(x){x.f.forEach(function(v,j){"
"if(v.length>w[j])w[j]=Math.min(v.length,W);});});"
"function line(f){return f.map(function(v,j){"
"var a=w[j]>v.length?' '.repeat(w[j]-v.length):'';"
"return(j?'\\t ':'')+(num[j]?a+v:j<f.length-1?v+a:v);}).join('');}"
"L.push(line(H));p.it.forEach(function(x){L.push(line(x.f));"
"x.s.forEach(function(t){L.push('\\t '+t);});});"
"e.className='rows';e.textContent=L.join('\\n');box(p,e);p.t=0;}"
"function table(p){var I=items(p),t=d.createElement('table'),"
"h=t.createTHead().insertRow(),b=t.createTBody(),n=H.length-1,c=[n],j;"
"for(j=0;j<n;j++)c.push(j);t.className='images';b.className='rows';"
"c.forEach(function(k){var e=d.createElement('th');e.textContent=H[k];"
"e.setAttribute('data-col',k);if(num[k])e.className='n';"
"h.appendChild(e);});"
"I.forEach(function(x){var r=b.insertRow(),"
"e=d.createElement('button');r.className='img';r.it=x;e.type='button';"
"e.textContent=x.f[n];e.setAttribute('aria-expanded','false');"
"r.insertCell().appendChild(e);for(j=0;j<n;j++){e=r.insertCell();"
"e.textContent=x.f[j];if(num[j])e.className='n';}});box(p,t);p.t=1;}"
"function every(){if(!all){all=[];P.forEach(function(p){"
"all.push.apply(all,items(p));});cur=all;}}"
"function deal(){var t=q.value.toLowerCase(),v=t?cur.filter(function(x){"
"if(x.l===undefined)x.l=(x.f.join('\\t')+'\\n'+x.s.join('\\n'))"
".toLowerCase();return x.l.indexOf(t)>=0;}):cur;"
"P.forEach(function(p,i){var a=v.slice(i*N,(i+1)*N);p.hidden=!a.length;"
"p.querySelector('summary').textContent=(t?'Matches ':'Images ')+"
"(i*N+1)+' to '+(i*N+a.length);p.it=a;"
"if(!a.length){p.querySelector('div').textContent='';p.t=0;}"
"else if(p.open)table(p);else text(p);});"
"o.textContent=t?v.length+' of '+all.length+' images match':'';}"
"P.forEach(function(p){p.addEventListener('toggle',function(){"
"if(p.open&&!p.t)table(p);});if(p.open)table(p);});"
"g.addEventListener('click',function(e){var t=e.target,r,n,c;"
"if(t.tagName==='BUTTON'){r=t.parentNode.parentNode;n=r.nextSibling;"
"if(n&&n.className==='src'){n.remove();"
"t.setAttribute('aria-expanded','false');return;}"
"n=d.createElement('tr');n.className='src';c=n.insertCell();"
"c.colSpan=H.length;c.appendChild(d.createElement('pre')).textContent="
"r.it.s.join('\\n');r.after(n);t.setAttribute('aria-expanded','true');}"
"else if(t.tagName==='TH'&&t.hasAttribute('data-col')){"
"c=+t.getAttribute('data-col');every();up=c===s?-up:1;s=c;"
"cur=all.slice().sort(function(a,b){var x=a.f[c],y=b.f[c];"
"if(num[c]){x=x===''?-1:+x;y=y===''?-1:+y;}"
"return(x<y?-1:x>y?1:0)*up;});deal();}});"
"q.hidden=false;q.addEventListener('input',function(){clearTimeout(tm);"
"tm=setTimeout(function(){every();deal();},200);});"
"})();";

static enum rc
write_html_open(struct writer *w, const char *path)
{
	struct write_html *st = xcalloc(1, sizeof *st);
	static const char *const what[WS__COUNT] = {
		"the HTML report's images", "the HTML report's conflicts",
		"the HTML report's rejects", "the HTML report's warnings",
		"the HTML report's inputs", "the HTML report's pages",
	};
	static const char *const titles[WH__COUNT] = {
		"Images by status", "Images by visibility",
		"Images by disk format", "Images by the APIs that observed "
		"them", "Images by size", "Images created per month",
	};
	static const char *const ids[WH__COUNT] = {
		"chart-status", "chart-visibility", "chart-disk-format",
		"chart-apis", "chart-size", "chart-created",
	};
	time_t now = time(NULL);
	struct tm tm;

	w->priv = st;
	for (size_t i = 0; i < WH__COUNT; i++) {
		st->chart[i].id = ids[i];
		st->chart[i].title = titles[i];
		st->chart[i].max = i == WH_MONTH ? WRITE_HTML_MONTHS :
		    WRITE_HTML_KEYS;
	}
	st->chart[WH_MONTH].sorted = 1;
	st->chart[WH_SIZE].sorted = 1;
	if (gmtime_r(&now, &tm) != NULL)
		strftime(st->started, sizeof st->started,
		    "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (size_t i = 0; i < WS__COUNT; i++)
		if ((st->scratch[i] = output_scratch(what[i], w->diag)) ==
		    NULL) {
			write_html_free(w);
			return RC_FATAL;
		}
	if ((st->out = output_open(path, w->opts.gzip, w->diag)) == NULL) {
		write_html_free(w);
		return RC_FATAL;
	}
	output_threads(st->out, w->opts.threads);
	return RC_OK;
}

/*
 * Text for HTML: & < > as entities, and in an attribute's value (mode
 * WH_ATTR) " and ' too; control characters and bytes that are not UTF-8
 * as the text \xNN (newline and tab kept, but in a line or a field of a
 * text block (WH_LINE) a newline is the text \n and a tab the text \t,
 * so that lines stay lines and fields fields).
 */
static void
write_html_escn(struct buf *b, const char *s, size_t len, int mode)
{
	int attr = mode == WH_ATTR;

	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + len;
	size_t n;

	while (p < end) {
		unsigned char c = *p;

		if (c >= 0x80) {
			n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
			if (n > 1 && (size_t)(end - p) >= n &&
			    utf8_valid((const char *)p, n)) {
				buf_add(b, p, n);
				p += n;
				continue;
			}
			buf_printf(b, "\\x%02x", c);
		} else if (c == '&')
			buf_addstr(b, "&amp;");
		else if (c == '<')
			buf_addstr(b, "&lt;");
		else if (c == '>')
			buf_addstr(b, "&gt;");
		else if (c == '"' && attr)
			buf_addstr(b, "&quot;");
		else if (c == '\'' && attr)
			buf_addstr(b, "&#39;");
		else if (c == '\n' && mode == WH_LINE)
			buf_addstr(b, "\\n");
		else if (c == '\t' && mode == WH_LINE)
			buf_addstr(b, "\\t");
		else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
		p++;
	}
}

static void
write_html_esc(struct buf *b, const char *s)
{
	write_html_escn(b, s, strlen(s), WH_TEXT);
}

static void
write_html_line(struct buf *b, const char *s)
{
	write_html_escn(b, s, strlen(s), WH_LINE);
}

static void
write_html_attr(struct buf *b, const char *s)
{
	write_html_escn(b, s, strlen(s), WH_ATTR);
}

/* A chart label: at most WRITE_HTML_LABEL characters, then "…". */
static void
write_html_label(struct buf *b, const char *s)
{
	size_t i = 0, chars = 0;

	while (s[i] != '\0' && chars < WRITE_HTML_LABEL) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	write_html_escn(b, s, i, WH_TEXT);
	if (s[i] != '\0')
		buf_addstr(b, "\xe2\x80\xa6");
}

/* Counts one more for key (NULL: no value). */
static void
write_html_count_key(struct write_html_tally *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (key == NULL ? t->v[i].key == NULL :
		    t->v[i].key != NULL && strcmp(t->v[i].key, key) == 0) {
			t->v[i].n++;
			return;
		}
	if (t->n == t->max) {
		t->other++;
		return;
	}
	t->v = xreallocarray(t->v, t->n + 1, sizeof *t->v);
	t->v[t->n].key = xstrdup(key);
	t->v[t->n].n = 1;
	t->n++;
}

/* Most first, then by key; no value last. */
static int
write_html_count_cmp_n(const void *a, const void *b)
{
	const struct write_html_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return write_html_count_cmp_key(a, b);
}

static int
write_html_count_cmp_key(const void *a, const void *b)
{
	const struct write_html_count *x = a, *y = b;

	if (x->key == NULL || y->key == NULL)
		return (x->key == NULL) - (y->key == NULL);
	return strcmp(x->key, y->key);
}

/*
 * Size buckets, named so that their bytewise order is their order: the
 * label after the first space is what the chart shows.
 */
static const char *
write_html_size_bucket(const char *size)
{
	static const struct {
		uint64_t	 below;
		const char	*name;
	} b[] = {
		{ 1, "0 0 B" },
		{ (uint64_t)1 << 20, "1 under 1 MiB" },
		{ (uint64_t)16 << 20, "2 1-16 MiB" },
		{ (uint64_t)256 << 20, "3 16-256 MiB" },
		{ (uint64_t)1 << 30, "4 256 MiB-1 GiB" },
		{ (uint64_t)4 << 30, "5 1-4 GiB" },
		{ (uint64_t)16 << 30, "6 4-16 GiB" },
		{ (uint64_t)64 << 30, "7 16-64 GiB" },
	};
	unsigned long long v;

	if (size == NULL)
		return NULL;
	v = strtoull(size, NULL, 10);
	for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
		if (v < b[i].below)
			return b[i].name;
	return "8 64 GiB or more";
}

static void
write_html_tally_record(struct write_html *st, const struct record *rec)
{
	struct write_html_tally *c = st->chart;
	const char *created = rec->f[F_CREATED_AT];
	char month[8];
	struct buf apis = BUF_INIT;
	const char *a;
	size_t i, j;

	write_html_count_key(&c[WH_STATUS], rec->f[F_STATUS]);
	write_html_count_key(&c[WH_VISIBILITY], rec->f[F_VISIBILITY]);
	write_html_count_key(&c[WH_DISK], rec->f[F_DISK_FORMAT]);
	write_html_count_key(&c[WH_SIZE],
	    write_html_size_bucket(rec->f[F_SIZE]));
	if (created != NULL && strlen(created) >= 7) {
		memcpy(month, created, 7);
		month[7] = '\0';
		write_html_count_key(&c[WH_MONTH], month);
	} else
		write_html_count_key(&c[WH_MONTH], NULL);
	/* The distinct APIs of the sources, in the order v1, v1.1, v2.1
	 * (bytewise), joined by " + ". */
	for (;;) {
		const char *next = NULL;

		for (i = 0; i < rec->nsrcs; i++) {
			a = rec->srcs[i].v[S_API];
			if (a == NULL)
				a = "unknown";
			/* past what is already listed */
			j = apis.len;
			if (j > 0) {
				const char *last = strrchr(apis.data, ' ');

				last = last != NULL ? last + 1 : apis.data;
				if (strcmp(a, last) <= 0)
					continue;
			}
			if (next == NULL || strcmp(a, next) < 0)
				next = a;
		}
		if (next == NULL)
			break;
		if (apis.len > 0)
			buf_addstr(&apis, " + ");
		buf_addstr(&apis, next);
	}
	write_html_count_key(&c[WH_APIS], apis.len > 0 ? apis.data : NULL);
	buf_free(&apis);
}

/* A horizontal bar chart: one bar per key, its count beside it. */
static void
write_html_chart_svg(struct buf *b, struct write_html_tally *t)
{
	const int row = 20, label = 200, barw = 220;
	uint64_t max = t->other;
	size_t rows = t->n + (t->other > 0);
	const char *key;

	qsort(t->v, t->n, sizeof *t->v, t->sorted ?
	    write_html_count_cmp_key : write_html_count_cmp_n);
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].n > max)
			max = t->v[i].n;
	buf_printf(b, "<div class=\"chart\"><h3>%s</h3>\n<svg id=\"%s\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\" "
	    "role=\"img\" aria-label=\"%s\">\n", t->title, t->id,
	    label + barw + 80, rows * row + 4, t->title);
	for (size_t i = 0; i < rows; i++) {
		uint64_t n = i < t->n ? t->v[i].n : t->other;
		int w = max > 0 ? (int)((double)n / (double)max * barw) : 0;

		key = i < t->n ? t->v[i].key : NULL;
		if (key != NULL && t->id != NULL &&
		    strcmp(t->id, "chart-size") == 0)
			key = strchr(key, ' ') + 1;
		buf_addstr(b, "<g class=\"bar\" data-key=\"");
		if (i < t->n && key != NULL)
			write_html_attr(b, key);
		buf_printf(b, "\" data-none=\"%d\" data-other=\"%d\" "
		    "data-n=\"%llu\"><title>", i < t->n && key == NULL,
		    i >= t->n, (unsigned long long)n);
		if (i >= t->n)
			buf_addstr(b, "other values");
		else if (key == NULL)
			buf_addstr(b, "no value");
		else
			write_html_esc(b, key);
		buf_printf(b, ": %llu</title><text x=\"%d\" y=\"%zu\" "
		    "text-anchor=\"end\">", (unsigned long long)n, label - 6,
		    i * row + 15);
		if (i >= t->n)
			buf_addstr(b, "(other values)");
		else if (key == NULL)
			buf_addstr(b, "(no value)");
		else
			write_html_label(b, key);
		buf_printf(b, "</text><rect x=\"%d\" y=\"%zu\" width=\"%d\" "
		    "height=\"%d\"/><text x=\"%d\" y=\"%zu\">%llu</text></g>\n",
		    label, i * row + 3, w > 0 ? w : n > 0 ? 1 : 0, row - 6,
		    label + (w > 0 ? w : 1) + 4, i * row + 15,
		    (unsigned long long)n);
	}
	buf_addstr(b, "</svg></div>\n");
}

/* Months as columns, oldest first, each with its count as its title;
 * the first and last month named below. */
static void
write_html_columns_svg(struct buf *b, struct write_html_tally *t)
{
	const int h = 120, top = 16, bottom = 20;
	uint64_t max = t->other;
	size_t cols = t->n + (t->other > 0);
	int cw, width;

	qsort(t->v, t->n, sizeof *t->v, write_html_count_cmp_key);
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].n > max)
			max = t->v[i].n;
	cw = cols > 0 && cols < 60 ? (int)(600 / cols) : 10;
	if (cw > 40)
		cw = 40;
	width = (int)cols * cw + 20;
	if (width < 200)
		width = 200;
	buf_printf(b, "<div class=\"chart\"><h3>%s</h3>\n<svg id=\"%s\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "role=\"img\" aria-label=\"%s\">\n", t->title, t->id, width,
	    h + top + bottom, t->title);
	for (size_t i = 0; i < cols; i++) {
		uint64_t n = i < t->n ? t->v[i].n : t->other;
		const char *key = i < t->n ? t->v[i].key : NULL;
		int bh = max > 0 ? (int)((double)n / (double)max * h) : 0;

		if (bh == 0 && n > 0)
			bh = 1;
		buf_addstr(b, "<g class=\"bar\" data-key=\"");
		if (key != NULL)
			write_html_attr(b, key);
		buf_printf(b, "\" data-none=\"%d\" data-other=\"%d\" "
		    "data-n=\"%llu\"><title>", i < t->n && key == NULL,
		    i >= t->n, (unsigned long long)n);
		if (i >= t->n)
			buf_addstr(b, "other months");
		else if (key == NULL)
			buf_addstr(b, "no creation date");
		else
			write_html_esc(b, key);
		buf_printf(b, ": %llu</title><rect x=\"%zu\" y=\"%d\" "
		    "width=\"%d\" height=\"%d\"/>", (unsigned long long)n,
		    10 + i * (size_t)cw, top + h - bh, cw > 2 ? cw - 1 : cw,
		    bh);
		if (cols <= 24) {
			buf_printf(b, "<text x=\"%zu\" y=\"%d\" "
			    "text-anchor=\"middle\">%llu</text>",
			    10 + i * (size_t)cw + (size_t)cw / 2,
			    top + h - bh - 3, (unsigned long long)n);
		}
		buf_addstr(b, "</g>\n");
	}
	if (cols > 0) {
		const char *first = t->n > 0 ? t->v[0].key : NULL;
		const char *last = t->n > 0 ? t->v[t->n - 1].key : NULL;

		/* the last under the last column, clear of the first */
		int x = 10 + (int)cols * cw;

		if (x < 120)
			x = 120;
		buf_printf(b, "<text x=\"10\" y=\"%d\">", h + top + 15);
		write_html_esc(b, first != NULL ? first : "no date");
		buf_addstr(b, "</text>");
		if (cols > 1) {
			buf_printf(b, "<text x=\"%d\" y=\"%d\" "
			    "text-anchor=\"end\">", x, h + top + 15);
			write_html_esc(b, last != NULL ? last : "no date");
			buf_addstr(b, "</text>");
		}
		buf_addc(b, '\n');
	}
	buf_addstr(b, "</svg></div>\n");
}

/* Appends b to a scratch file (one more row of it) and empties b. */
static enum rc
write_html_put(struct writer *w, enum write_html_scratch which,
    struct buf *b)
{
	struct write_html *st = w->priv;

	if (b->len > 0 && fwrite(b->data, 1, b->len, st->scratch[which]) !=
	    b->len) {
		diag_report(w->diag, DIAG_ERROR, NULL, NULL, "cannot write "
		    "the temporary file of the HTML report: %s",
		    strerror(errno));
		return RC_FATAL;
	}
	st->nscratch[which]++;
	buf_reset(b);
	return RC_OK;
}

/* Writes b to the output and empties it. */
static enum rc
write_html_flush(struct writer *w, struct buf *b)
{
	struct write_html *st = w->priv;
	enum rc rc = output_write(st->out, b->data, b->len);

	buf_reset(b);
	return rc;
}

/* Copies a scratch file into the output. */
static enum rc
write_html_copy(struct writer *w, enum write_html_scratch which)
{
	struct write_html *st = w->priv;
	FILE *f = st->scratch[which];
	char chunk[65536];
	size_t n;
	enum rc rc;

	if (fflush(f) != 0)
		goto fail;
	rewind(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if ((rc = output_write(st->out, chunk, n)) != RC_OK)
			return rc;
	if (!ferror(f))
		return RC_OK;
fail:
	diag_report(w->diag, DIAG_ERROR, NULL, NULL, "cannot read back the "
	    "temporary file of the HTML report: %s", strerror(errno));
	return RC_FATAL;
}

/* One table of the doubt section: its rows from the scratch file,
 * open when short, hidden when empty; key names its ids. */
static enum rc
write_html_doubt(struct writer *w, struct buf *b,
    enum write_html_scratch which, const char *key, const char *summary,
    const char *head)
{
	struct write_html *st = w->priv;
	uint64_t n = st->nscratch[which];
	enum rc rc;

	buf_printf(b, "<details class=\"doubt\"%s><summary><span "
	    "id=\"listed-%s\">%llu</span> %s</summary>\n<div class=\"wrap\">"
	    "<table id=\"%s\"%s><thead><tr>%s</tr></thead><tbody>\n",
	    n <= 100 ? " open" : "", key, (unsigned long long)n, summary, key,
	    n == 0 ? " class=\"empty\"" : "", head);
	if ((rc = write_html_flush(w, b)) != RC_OK ||
	    (rc = write_html_copy(w, which)) != RC_OK)
		return rc;
	buf_addstr(b, "</tbody></table></div></details>\n");
	return RC_OK;
}

/*
 * Where an observation came from, as one line of a row's sources:
 * "#N FILE:POSITION (API CALL, DATE)".
 */
static void
write_html_source_line(struct buf *b, size_t n, const struct source *s)
{
	const char *sep = " (";

	buf_printf(b, "#%zu ", n);
	if (s == NULL) {
		buf_addc(b, '\n');
		return;
	}
	if (s->v[S_FILE] != NULL)
		write_html_line(b, s->v[S_FILE]);
	if (s->v[S_AT] != NULL) {
		buf_addc(b, ':');
		write_html_line(b, s->v[S_AT]);
	}
	if (s->v[S_API] != NULL || s->v[S_CALL] != NULL) {
		buf_addstr(b, sep);
		sep = ", ";
		if (s->v[S_API] != NULL)
			write_html_line(b, s->v[S_API]);
		if (s->v[S_API] != NULL && s->v[S_CALL] != NULL)
			buf_addc(b, ' ');
		if (s->v[S_CALL] != NULL)
			write_html_line(b, s->v[S_CALL]);
	}
	if (s->v[S_DATE] != NULL) {
		buf_addstr(b, sep);
		sep = ", ";
		write_html_line(b, s->v[S_DATE]);
	}
	buf_addstr(b, sep[1] == ' ' ? ")\n" : "\n");
}

/* Where an observation came from, as cells of the conflicts' table. */
static void
write_html_source(struct buf *b, const struct source *s)
{
	buf_addstr(b, "<td>");
	if (s->v[S_FILE] != NULL)
		write_html_esc(b, s->v[S_FILE]);
	if (s->v[S_AT] != NULL) {
		buf_addc(b, ':');
		write_html_esc(b, s->v[S_AT]);
	}
	buf_addstr(b, "</td><td>");
	if (s->v[S_API] != NULL)
		write_html_esc(b, s->v[S_API]);
	if (s->v[S_CALL] != NULL) {
		buf_addc(b, ' ');
		write_html_esc(b, s->v[S_CALL]);
	}
	buf_addstr(b, "</td><td>");
	if (s->v[S_DATE] != NULL)
		write_html_esc(b, s->v[S_DATE]);
	buf_addstr(b, "</td>");
}

static enum rc
write_html_observe(struct writer *w, const struct record *obs, int run,
    int alone)
{
	struct write_html *st = w->priv;

	(void)run;
	/* A record the filters leave out is never written: its
	 * observations are dropped when the next record's come. */
	if (st->cur_id == NULL || obs->f[F_ID] == NULL ||
	    strcmp(st->cur_id, obs->f[F_ID]) != 0) {
		free(st->cur_id);
		st->cur_id = xstrdup(obs->f[F_ID]);
		buf_reset(&st->obs);
		st->nobs = 0;
	}
	st->nobs++;
	write_html_source_line(&st->obs, st->nobs, obs->nsrcs > 0 ?
	    &obs->srcs[0] : NULL);
	buf_reset(&st->said);
	/* Alone, the record is this observation: its row says it. */
	if (!alone && record_json_said_text(obs, &st->said) == 0) {
		buf_addstr(&st->obs, "   said ");
		write_html_line(&st->obs, st->said.data);
		buf_addc(&st->obs, '\n');
	}
	return RC_OK;
}

/* The width a text takes in a line: its characters, an entity one. */
static size_t
write_html_width(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		n++;
		if (s[i] == '&')
			while (i + 1 < len && s[i] != ';')
				i++;
	}
	return n;
}

/* One field of an image's line in the page being built; column k. */
static void
write_html_field(struct write_html *st, size_t k, const char *v)
{
	size_t at = st->page.len, n;

	if (k > 0)
		buf_addc(&st->page, '\t');
	at = st->page.len;
	if (v != NULL)
		write_html_line(&st->page, v);
	n = write_html_width(st->page.data + at, st->page.len - at);
	if (n > WRITE_HTML_COLUMN)
		n = WRITE_HTML_COLUMN;
	if (n > st->width[k])
		st->width[k] = n;
}

/*
 * A line of fields, padded into the page's columns: a tab and a space
 * between fields, numbers right-aligned, no padding at the end.
 */
static void
write_html_padded(struct buf *b, struct write_html *st, const char *line,
    size_t len)
{
	const char *end = line + len, *tab;

	for (size_t k = 0; k <= F__COUNT; k++) {
		int num = k == F__COUNT || field_info[k].type == FT_INT;
		size_t n, pad;

		tab = memchr(line, '\t', (size_t)(end - line));
		if (tab == NULL)
			tab = end;
		n = write_html_width(line, (size_t)(tab - line));
		pad = n < st->width[k] ? st->width[k] - n : 0;
		if (k > 0)
			buf_addstr(b, "\t ");
		if (num)
			for (size_t i = 0; i < pad; i++)
				buf_addc(b, ' ');
		buf_add(b, line, (size_t)(tab - line));
		if (!num && k < F__COUNT)
			for (size_t i = 0; i < pad; i++)
				buf_addc(b, ' ');
		if (tab == end)
			break;
		line = tab + 1;
	}
	buf_addc(b, '\n');
}

/* Writes the page being built to its scratch file, padded, and starts
 * the next. */
static enum rc
write_html_page_end(struct writer *w)
{
	struct write_html *st = w->priv;
	struct buf *b = &st->b;
	struct buf head = BUF_INIT;
	uint64_t first = st->images - st->page_images;
	const char *p = st->page.data, *end = p + st->page.len, *nl;
	enum rc rc;

	if (st->page_images == 0)
		return RC_OK;
	buf_printf(b, "<details class=\"page\"%s><summary>Images %llu to "
	    "%llu</summary>\n<div class=\"wrap\"><pre class=\"rows\">",
	    first == 0 ? " open" : "", (unsigned long long)first + 1,
	    (unsigned long long)st->images);
	for (size_t k = 0; k <= F__COUNT; k++) {
		const char *name = k < F__COUNT ? field_info[k].name :
		    "sources";

		if (k > 0)
			buf_addc(&head, '\t');
		buf_addstr(&head, name);
		if (strlen(name) > st->width[k])
			st->width[k] = strlen(name);
	}
	write_html_padded(b, st, head.data, head.len);
	buf_free(&head);
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (*p == '\t')
			buf_add(b, p, (size_t)(nl - p + 1));
		else
			write_html_padded(b, st, p, (size_t)(nl - p));
	}
	if (b->len > 0 && b->data[b->len - 1] == '\n')
		b->len--;
	buf_addstr(b, "</pre></div></details>\n");
	buf_reset(&st->page);
	st->page_images = 0;
	memset(st->width, 0, sizeof st->width);
	if ((rc = write_html_put(w, WS_ROWS, b)) != RC_OK)
		return rc;
	return RC_OK;
}

/*
 * An image: a line of its fields and its number of sources, then a
 * line, starting with a tab and a space, for each of its properties and
 * its sources (see the top of this file).
 */
static enum rc
write_html_write(struct writer *w, const struct record *rec)
{
	struct write_html *st = w->priv;
	struct buf *b = &st->b;
	char n[32];
	const char *p, *end, *nl;

	write_html_tally_record(st, rec);
	st->images++;
	for (size_t i = 0; i < F__COUNT; i++)
		write_html_field(st, i, rec->f[i]);
	snprintf(n, sizeof n, "%zu", rec->nsrcs);
	write_html_field(st, F__COUNT, n);
	buf_addc(&st->page, '\n');
	for (size_t i = 0; i < rec->nprops; i++) {
		write_html_line(b, rec->props[i].key);
		buf_addstr(b, ": ");
		if (rec->props[i].value != NULL)
			write_html_line(b, rec->props[i].value);
		else
			buf_addstr(b, "<span class=\"none\">null</span>");
		buf_addc(b, '\n');
	}
	if (st->cur_id != NULL && rec->f[F_ID] != NULL &&
	    strcmp(st->cur_id, rec->f[F_ID]) == 0)
		buf_add(b, st->obs.data, st->obs.len);
	else
		/* no observe hook: the sources alone */
		for (size_t i = 0; i < rec->nsrcs; i++)
			write_html_source_line(b, i + 1, &rec->srcs[i]);
	for (p = b->data, end = p + b->len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		buf_addstr(&st->page, "\t ");
		buf_add(&st->page, p, (size_t)(nl - p));
		buf_addc(&st->page, '\n');
	}
	buf_reset(b);
	free(st->cur_id);
	st->cur_id = NULL;
	buf_reset(&st->obs);
	st->nobs = 0;
	if (++st->page_images == WRITE_HTML_PAGE)
		return write_html_page_end(w);
	return RC_OK;
}

/* A reject or a warning: FILE:POSITION and the message. */
static enum rc
write_html_reject(struct writer *w, const char *file, const char *pos,
    const char *msg)
{
	struct write_html *st = w->priv;
	struct buf *b = &st->b;

	buf_addstr(b, "<tr><td>");
	if (file != NULL)
		write_html_esc(b, file);
	if (pos != NULL) {
		buf_addc(b, ':');
		write_html_esc(b, pos);
	}
	buf_addstr(b, "</td><td>");
	write_html_esc(b, msg);
	buf_addstr(b, "</td></tr>\n");
	return write_html_put(w, WS_REJECTS, b);
}

static enum rc
write_html_warning(struct writer *w, const char *file, const char *pos,
    const char *msg)
{
	struct write_html *st = w->priv;
	struct buf *b = &st->b;

	buf_addstr(b, "<tr><td>");
	if (file != NULL)
		write_html_esc(b, file);
	if (pos != NULL) {
		buf_addc(b, ':');
		write_html_esc(b, pos);
	}
	buf_addstr(b, "</td><td>");
	write_html_esc(b, msg);
	buf_addstr(b, "</td></tr>\n");
	return write_html_put(w, WS_WARNINGS, b);
}

static enum rc
write_html_conflict(struct writer *w, const struct conflict *c)
{
	struct write_html *st = w->priv;
	struct buf *b = &st->b;
	const char *v[2] = { c->old_value, c->new_value };
	const struct source *s[2] = { c->old_src, c->new_src };

	buf_addstr(b, "<tr><td class=\"id\">");
	write_html_esc(b, c->id);
	buf_addstr(b, "</td><td>");
	write_html_esc(b, c->field);
	buf_addstr(b, "</td>");
	for (size_t i = 0; i < 2; i++) {
		buf_addstr(b, "<td class=\"v\">");
		if (v[i] != NULL)
			write_html_esc(b, v[i]);
		else
			buf_addstr(b, "<span class=\"none\">null</span>");
		buf_addstr(b, "</td>");
		if (s[i] != NULL)
			write_html_source(b, s[i]);
		else
			buf_addstr(b, "<td></td><td></td><td></td>");
	}
	buf_addstr(b, "</tr>\n");
	return write_html_put(w, WS_CONFLICTS, b);
}

/* An input file: its size, SHA-256 and what it yielded. */
static enum rc
write_html_input(struct writer *w, const struct writer_input *in)
{
	struct write_html *st = w->priv;
	struct buf *b = &st->b;

	buf_addstr(b, "<tr><td>");
	write_html_esc(b, in->file);
	buf_printf(b, "</td><td class=\"n\">%llu</td><td class=\"id\">",
	    (unsigned long long)in->size);
	write_html_esc(b, in->sha256 != NULL ? in->sha256 : "");
	buf_addstr(b, "</td><td>");
	if (in->same_as != NULL)
		write_html_esc(b, in->same_as);
	buf_printf(b, "</td><td class=\"n\">%llu</td><td class=\"n\">%llu"
	    "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td></tr>\n",
	    (unsigned long long)in->responses,
	    (unsigned long long)in->observations,
	    (unsigned long long)in->rejects, (unsigned long long)in->warnings);
	return write_html_put(w, WS_INPUTS, b);
}

/*
 * A list page whose next page is not among the inputs (missing), or may
 * be one captured without its URL (unknown): its list, where it is, how
 * many images it gave, and the URL to capture.
 */
static enum rc
write_html_page(struct writer *w, const struct page *pg,
    enum page_next next, const struct page *found)
{
	struct write_html *st = w->priv;
	struct buf *b = &st->b;
	const char *url = pg->v[PG_NEXT_URL] != NULL ? pg->v[PG_NEXT_URL] :
	    pg->v[PG_NEXT];

	(void)found;
	if (next != PAGE_MISSING && next != PAGE_UNKNOWN)
		return RC_OK;
	buf_addstr(b, "<tr><td>");
	if (pg->v[PG_API] != NULL)
		write_html_esc(b, pg->v[PG_API]);
	if (pg->v[PG_LISTING] != NULL) {
		buf_addstr(b, pg->v[PG_API] != NULL ? " (" : "(");
		write_html_esc(b, pg->v[PG_LISTING]);
		buf_addc(b, ')');
	}
	buf_addstr(b, "</td><td>");
	if (pg->v[PG_FILE] != NULL)
		write_html_esc(b, pg->v[PG_FILE]);
	if (pg->v[PG_POS] != NULL) {
		buf_addc(b, ':');
		write_html_esc(b, pg->v[PG_POS]);
	}
	buf_printf(b, "</td><td class=\"n\">%llu</td><td>%s</td><td>",
	    (unsigned long long)pg->items, pages_next_name(next));
	if (url != NULL)
		write_html_esc(b, url);
	buf_addstr(b, "</td></tr>\n");
	return write_html_put(w, WS_PAGES, b);
}

/* "'sha256-BASE64'" of a text, for the CSP. */
static void
write_html_csp_hash(struct buf *b, const char *text)
{
	unsigned char h[DIGEST_BYTES];
	unsigned char b64[2 * DIGEST_BYTES + 4];

	digest_bytes(text, strlen(text), h);
	EVP_EncodeBlock(b64, h, DIGEST_BYTES);
	buf_printf(b, "'sha256-%s'", (const char *)b64);
}

static void
write_html_head(struct writer *w, struct buf *b)
{
	(void)w;
	buf_addstr(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-"
	    "Policy\" content=\"default-src 'none'; style-src ");
	write_html_csp_hash(b, write_html_style);
	buf_addstr(b, "; script-src ");
	write_html_csp_hash(b, write_html_script);
	buf_addstr(b, "; base-uri 'none'; form-action 'none'\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>imgmeta report</title>\n<style>");
	buf_addstr(b, write_html_style);
	buf_addstr(b, "</style></head>\n<body>\n<h1>imgmeta report</h1>\n");
}

/* The run: version, command line, time, counts. */
static void
write_html_run(struct writer *w, struct buf *b)
{
	struct write_html *st = w->priv;
	const struct diag_counts *n = w->run.counts;
	const struct {
		const char	*id;
		const char	*label;
		uint64_t	 v;
	} c[] = {
		{ "inputs", "inputs read", n->inputs },
		{ "bytes", "bytes read", n->bytes },
		{ "responses", "responses", n->responses },
		{ "observations", "observations kept", n->observations },
		{ "records", "images written", n->records },
		{ "filtered", "images left out by filters", n->filtered },
		{ "rejected", "rejected", n->rejects },
		{ "non2xx", "of which non-2xx responses", n->non2xx },
		{ "conflicts", "conflicts", n->conflicts },
		{ "warnings", "warnings", n->warnings },
		{ "pages", "list pages", n->pages },
		{ "pages-missing", "next page missing", n->pages_missing },
		{ "pages-unknown", "next page unknown", n->pages_unknown },
	};

	buf_addstr(b, "<h2 id=\"run\">The run</h2>\n<p>imgmeta ");
	write_html_esc(b, w->run.version != NULL ? w->run.version : "");
	buf_printf(b, ", started <time>%s</time>.</p>\n<p>Command line: "
	    "<code id=\"command\">", st->started);
	for (int i = 0; i < w->run.argc; i++) {
		if (i > 0)
			buf_addc(b, ' ');
		write_html_esc(b, w->run.argv[i]);
	}
	buf_addstr(b, "</code></p>\n<dl class=\"counts\">\n");
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		buf_printf(b, "<dt>%s</dt><dd id=\"count-%s\">%llu</dd>\n",
		    c[i].label, c[i].id, (unsigned long long)c[i].v);
	buf_addstr(b, "</dl>\n");
}

/*
 * Each imgmeta database named on the command line: its runs and their
 * rejects, as it holds them. Whatever cannot be read is said on the
 * page; it changes nothing else.
 */
static enum rc
write_html_databases(struct writer *w, struct buf *b)
{
	for (int i = 0; i < w->run.ninputs; i++)
		if (write_html_database(w, b, w->run.inputs[i]) != RC_OK)
			return RC_FATAL;
	return RC_OK;
}

/*
 * One table of a database: the query's columns under the headings
 * (a heading starting with '#' is a number, right-aligned; the '#' is
 * not shown), a row at a time. A table the database lacks (an older
 * schema) is left out; an error ends the table with what went wrong.
 */
static enum rc
write_html_db_table(struct writer *w, struct buf *b, sqlite3 *db,
    const char *table, const char *title, const char *const *heads,
    const char *sql)
{
	sqlite3_stmt *st = NULL;
	size_t nheads = 0;
	enum rc rc = RC_OK;
	int k;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE "
	    "type = 'table' AND name = ?", -1, &st, NULL) != SQLITE_OK)
		return RC_OK;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	k = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (k != SQLITE_ROW)
		return RC_OK;
	buf_printf(b, "<h3>%s</h3>\n<div class=\"wrap\"><table class=\"db-%s\">"
	    "<thead><tr>", title, table);
	for (; heads[nheads] != NULL; nheads++)
		buf_printf(b, "<th%s>%s</th>", heads[nheads][0] == '#' ?
		    " class=\"n\"" : "", heads[nheads] + (heads[nheads][0] ==
		    '#'));
	buf_addstr(b, "</tr></thead><tbody>\n");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	while ((k = sqlite3_step(st)) == SQLITE_ROW) {
		buf_addstr(b, "<tr>");
		for (size_t i = 0; i < nheads; i++) {
			const unsigned char *t = sqlite3_column_text(st,
			    (int)i);

			buf_addstr(b, heads[i][0] == '#' ? "<td class=\"n\">" :
			    "<td>");
			if (t != NULL)
				write_html_esc(b, (const char *)t);
			buf_addstr(b, "</td>");
		}
		buf_addstr(b, "</tr>\n");
		if ((rc = write_html_flush(w, b)) != RC_OK)
			goto out;
	}
	if (k == SQLITE_DONE) {
		buf_addstr(b, "</tbody></table></div>\n");
		goto out;
	}
fail:
	buf_addstr(b, "</tbody></table></div>\n<p>Not read further: ");
	write_html_esc(b, sqlite3_errmsg(db));
	buf_addstr(b, "</p>\n");
out:
	sqlite3_finalize(st);
	return rc;
}

static enum rc
write_html_database(struct writer *w, struct buf *b, const char *path)
{
	static const char *const runs[] = { "#run", "started", "finished",
	    "version", "command line", "#inputs", "#bytes", "#responses",
	    "#observations", "#images written", "#rejected", "#conflicts",
	    "#warnings", NULL };
	static const char *const inputs[] = { "#run", "file", "#size",
	    "SHA-256", "duplicate of", "#responses", "#observations",
	    "#rejects", "#warnings", NULL };
	static const char *const said[] = { "#run", "file:position",
	    "reason", NULL };
	static const char *const pages[] = { "#run", "list",
	    "file:position", "#images", "next page", "the URL to capture",
	    NULL };
	struct stat sb;
	sqlite3 *db = NULL;
	FILE *f;
	char magic[16];
	int app = 0, ver = 0, k;
	enum rc rc = RC_OK;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (f = fopen(path, "rb")) == NULL)
		return RC_OK;
	k = fread(magic, 1, sizeof magic, f) == sizeof magic &&
	    memcmp(magic, "SQLite format 3", 16) == 0;
	fclose(f);
	if (!k)
		return RC_OK;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL,
	    NULL) != SQLITE_OK || imgmeta_db_ids(db, &app, &ver) != 0 ||
	    app != WRITE_SQLITE_APPLICATION_ID ||
	    ver < IMGMETA_DB_OLDEST_VERSION || ver > WRITE_SQLITE_USER_VERSION)
		goto out;
	buf_addstr(b, "<h2 class=\"database\">The database ");
	write_html_esc(b, path);
	buf_addstr(b, ": its own history</h2>\n");
	if ((rc = write_html_db_table(w, b, db, "runs", "Its runs", runs,
	    "SELECT id, started, finished, version, arguments, inputs, "
	    "bytes, responses, observations, records, rejected, conflicts, "
	    "warnings FROM runs ORDER BY id")) != RC_OK ||
	    (rc = write_html_db_table(w, b, db, "inputs", "Their inputs",
	    inputs, "SELECT i.run, i.path, i.size, i.sha256, d.path, "
	    "i.responses, i.observations, i.rejects, i.warnings FROM inputs i "
	    "LEFT JOIN inputs d ON d.id = i.duplicate_of ORDER BY i.id")) !=
	    RC_OK ||
	    (rc = write_html_db_table(w, b, db, "rejects", "Their rejects",
	    said, "SELECT run, coalesce(file, '') || coalesce(':' || "
	    "position, ''), reason FROM rejects ORDER BY id")) != RC_OK ||
	    (rc = write_html_db_table(w, b, db, "warnings", "Their warnings",
	    said, "SELECT run, coalesce(file, '') || coalesce(':' || "
	    "position, ''), message FROM warnings ORDER BY id")) != RC_OK ||
	    (rc = write_html_db_table(w, b, db, "pages", "Their list pages "
	    "whose next page is missing or unknown", pages, "SELECT run, api, file || "
	    "':' || position, images, next_page, coalesce(next_url, next) "
	    "FROM pages WHERE next_page IN ('missing', 'unknown') ORDER BY "
	    "id")) != RC_OK)
		goto out;
out:
	sqlite3_close(db);
	return rc;
}

static enum rc
write_html_finish(struct writer *w)
{
	struct write_html *st = w->priv;
	struct buf *b = &st->b;
	struct output *o;
	enum rc rc;

	/* the last page of images, before b holds the page's head */
	buf_reset(b);
	if ((rc = write_html_page_end(w)) != RC_OK)
		return rc;
	write_html_head(w, b);
	buf_addstr(b, "<nav><a href=\"#run\">The run</a> · "
	    "<a href=\"#charts\">Charts</a> · <a href=\"#doubt\">Conflicts, "
	    "rejects and warnings</a> · <a href=\"#missing\">Missing pages"
	    "</a> · <a href=\"#images\">Images</a>"
	    "</nav>\n");
	write_html_run(w, b);
	buf_printf(b, "<details%s><summary><span id=\"listed-inputs\">%llu"
	    "</span> input files</summary>\n<div class=\"wrap\"><table "
	    "id=\"inputs\"><thead><tr><th>file</th><th class=\"n\">bytes</th>"
	    "<th>SHA-256</th><th>the same bytes as</th>"
	    "<th class=\"n\">responses</th><th class=\"n\">observations</th>"
	    "<th class=\"n\">rejected</th><th class=\"n\">warnings</th></tr>"
	    "</thead><tbody>\n", st->nscratch[WS_INPUTS] <= 100 ? " open" : "",
	    (unsigned long long)st->nscratch[WS_INPUTS]);
	if ((rc = write_html_flush(w, b)) != RC_OK ||
	    (rc = write_html_copy(w, WS_INPUTS)) != RC_OK)
		return rc;
	buf_addstr(b, "</tbody></table></div></details>\n");
	if ((rc = write_html_flush(w, b)) != RC_OK ||
	    (rc = write_html_databases(w, b)) != RC_OK)
		return rc;

	buf_printf(b, "<h2 id=\"charts\">Charts over all %llu images</h2>\n"
	    "<div class=\"charts\">\n", (unsigned long long)st->images);
	for (size_t i = 0; i < WH__COUNT; i++)
		if (i == WH_MONTH)
			write_html_columns_svg(b, &st->chart[i]);
		else
			write_html_chart_svg(b, &st->chart[i]);
	buf_addstr(b, "</div>\n");

	buf_addstr(b, "<h2 id=\"doubt\">Conflicts, rejects and warnings</h2>\n");
	if ((rc = write_html_doubt(w, b, WS_CONFLICTS, "conflicts",
	    "conflicts: sources that disagree on a value (the later source's "
	    "value is kept)", "<th>image</th><th>field</th><th>earlier value"
	    "</th><th>said by</th><th>API</th><th>date</th><th>later value "
	    "(kept)</th><th>said by</th><th>API</th><th>date</th>")) != RC_OK ||
	    (rc = write_html_doubt(w, b, WS_REJECTS, "rejects",
	    "rejected: responses and observations not kept",
	    "<th>file:position</th><th>reason</th>")) != RC_OK ||
	    (rc = write_html_doubt(w, b, WS_WARNINGS, "warnings",
	    "warnings: kept, but something was odd",
	    "<th>file:position</th><th>warning</th>")) != RC_OK)
		return rc;

	buf_addstr(b, "<h2 id=\"missing\">Missing pages</h2>\n");
	if ((rc = write_html_doubt(w, b, WS_PAGES, "missing-pages",
	    "list pages whose next page is not among the inputs (missing), "
	    "or may be one captured without its URL (unknown)",
	    "<th>list</th><th>file:position</th><th class=\"n\">images</th>"
	    "<th>next page</th><th>the URL to capture</th>")) != RC_OK)
		return rc;

	buf_printf(b, "<h2 id=\"images\">Images (<span "
	    "id=\"listed-images\">%llu</span>)</h2>\n<p>In pages of %d, "
	    "each a block of text: a line for each image, its fields and its "
	    "number of sources, and under it its properties, a line each, "
	    "then a line for each source (#N capture:position (API call, "
	    "date)) and, where there are several, what each said. With "
	    "script, a page that is open is a table, sorted by a click on a "
	    "column's header, and a click on an image's number of sources "
	    "shows those lines.</p>\n<input id=\"filter\" type=\"search\" "
	    "placeholder=\"filter: any text of an image\" hidden> "
	    "<output id=\"matches\"></output>\n<div id=\"pages\" "
	    "data-num=\"", (unsigned long long)st->images, WRITE_HTML_PAGE);
	for (size_t i = 0; i < F__COUNT; i++)
		if (field_info[i].type == FT_INT)
			buf_printf(b, "%zu ", i);
	buf_printf(b, "%d\">\n", F__COUNT);
	if ((rc = write_html_flush(w, b)) != RC_OK ||
	    (rc = write_html_copy(w, WS_ROWS)) != RC_OK)
		return rc;
	buf_addstr(b, "</div>\n");
	buf_addstr(b, "<script>");
	buf_addstr(b, write_html_script);
	buf_addstr(b, "</script>\n</body></html>\n");
	if ((rc = write_html_flush(w, b)) != RC_OK)
		return rc;
	o = st->out;
	st->out = NULL;
	return output_commit(o);
}

static void
write_html_free(struct writer *w)
{
	struct write_html *st = w->priv;

	if (st == NULL)
		return;
	output_abort(st->out);
	for (size_t i = 0; i < WS__COUNT; i++)
		if (st->scratch[i] != NULL)
			fclose(st->scratch[i]);
	for (size_t i = 0; i < WH__COUNT; i++) {
		for (size_t j = 0; j < st->chart[i].n; j++)
			free(st->chart[i].v[j].key);
		free(st->chart[i].v);
	}
	free(st->cur_id);
	buf_free(&st->obs);
	buf_free(&st->b);
	buf_free(&st->said);
	buf_free(&st->page);
	free(st);
	w->priv = NULL;
}
