/* complete.c: shell completion made from the option table (complete.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "complete.h"
#include "util.h"
#include "writer.h"

static int	complete_word_ok(const char *, size_t);
static int	complete_seen(const struct option *, size_t);
static char	complete_short(const struct option *);
static const struct writer_option *complete_fmt_opt(const char *,
		    const struct writer_ops **);
static const char *complete_choices(const char *);
static void	complete_words(struct buf *, const char *);
static void	complete_bash(struct buf *, const struct option *,
		    const char *);
static void	complete_zsh_text(struct buf *, const char *);
static void	complete_zsh(struct buf *, const struct option *,
		    const char *);

static const char complete_alnum[] = "abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/* A word that needs no quoting in either shell, nor in a zsh spec. */
static int
complete_word_ok(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' || (strchr(complete_alnum, s[i]) == NULL &&
		    strchr("._-", s[i]) == NULL))
			return 0;
	return 1;
}

/* Whether lo[i] is to be left out: a name that is not a plain word, or
 * one an earlier entry has (two formats may share an option's name). */
static int
complete_seen(const struct option *lo, size_t i)
{
	if (!complete_word_ok(lo[i].name, strlen(lo[i].name)))
		return 1;
	for (size_t j = 0; j < i; j++)
		if (strcmp(lo[j].name, lo[i].name) == 0)
			return 1;
	return 0;
}

/* The short option of a long one: getopt_long's value, when a letter or
 * digit (the others are values above any character's). */
static char
complete_short(const struct option *o)
{
	if (o->flag != NULL || o->val <= 0 || o->val > 127 ||
	    strchr(complete_alnum, o->val) == NULL)
		return 0;
	return (char)o->val;
}

/* The format option of this name, the first in writers[] (and its
 * format in *fmt); NULL when no format has one. */
static const struct writer_option *
complete_fmt_opt(const char *name, const struct writer_ops **fmt)
{
	for (size_t i = 0; writers[i] != NULL; i++)
		for (const struct writer_option *o = writers[i]->options;
		    o != NULL && o->name != NULL; o++)
			if (strcmp(o->name, name) == 0) {
				if (fmt != NULL)
					*fmt = writers[i];
				return o;
			}
	return NULL;
}

/* The values a format's option takes, "a|b", when its argument lists
 * them, each a plain word; else NULL. */
static const char *
complete_choices(const char *name)
{
	const struct writer_option *o = complete_fmt_opt(name, NULL);
	const char *s;

	if (o == NULL || o->arg == NULL || strchr(o->arg, '|') == NULL)
		return NULL;
	for (s = o->arg; ; s++) {
		size_t n = strcspn(s, "|");

		if (!complete_word_ok(s, n))
			return NULL;
		s += n;
		if (*s == '\0')
			return o->arg;
	}
}

/* "a|b" as "a b". */
static void
complete_words(struct buf *b, const char *choices)
{
	for (const char *s = choices; *s != '\0'; s++)
		buf_addc(b, *s == '|' ? ' ' : *s);
}

static void
complete_bash(struct buf *b, const struct option *lo, const char *format_opt)
{
	int any = 0;

	buf_addstr(b,
	    "# bash completion for imgmeta, made from its option table by\n"
	    "# `imgmeta --completion bash`.\n"
	    "_imgmeta()\n"
	    "{\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=\n"
	    "\n"
	    "\t[ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "\t# --option=value: bash makes the = a word of its own\n"
	    "\tif [[ $cur == = ]]; then\n"
	    "\t\tcur=\n"
	    "\telif [[ $prev == = && $COMP_CWORD -ge 2 ]]; then\n"
	    "\t\tprev=${COMP_WORDS[COMP_CWORD-2]}\n"
	    "\tfi\n"
	    "\tcase $prev in\n");
	/* the output formats */
	for (size_t i = 0; lo[i].name != NULL; i++) {
		char c = complete_short(&lo[i]);

		if (complete_seen(lo, i) || strcmp(lo[i].name, format_opt) != 0)
			continue;
		buf_addc(b, '\t');
		if (c != 0)
			buf_printf(b, "-%c|", c);
		buf_printf(b, "--%s)\n\t\tCOMPREPLY=($(compgen -W '",
		    lo[i].name);
		for (size_t k = 0; writers[k] != NULL; k++)
			if (complete_word_ok(writers[k]->name,
			    strlen(writers[k]->name)))
				buf_printf(b, "%s%s", k > 0 ? " " : "",
				    writers[k]->name);
		buf_addstr(b, "' -- \"$cur\"))\n\t\treturn;;\n");
	}
	/* a format's option whose argument is one of a few words */
	for (size_t i = 0; lo[i].name != NULL; i++) {
		const char *choices = complete_choices(lo[i].name);

		if (complete_seen(lo, i) || lo[i].has_arg == no_argument ||
		    choices == NULL)
			continue;
		buf_printf(b, "\t--%s)\n\t\tCOMPREPLY=($(compgen -W '",
		    lo[i].name);
		complete_words(b, choices);
		buf_addstr(b, "' -- \"$cur\"))\n\t\treturn;;\n");
	}
	/* every other option's argument: a file name */
	for (size_t i = 0; lo[i].name != NULL; i++) {
		char c = complete_short(&lo[i]);

		if (complete_seen(lo, i) || lo[i].has_arg == no_argument ||
		    strcmp(lo[i].name, format_opt) == 0 ||
		    complete_choices(lo[i].name) != NULL)
			continue;
		buf_addstr(b, any ? "|" : "\t");
		if (c != 0)
			buf_printf(b, "-%c|", c);
		buf_printf(b, "--%s", lo[i].name);
		any = 1;
	}
	if (any)
		buf_addstr(b, ")\n\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
		    "\t\treturn;;\n");
	buf_addstr(b,
	    "\tesac\n"
	    "\tcase $cur in\n"
	    "\t-*)\n"
	    "\t\tCOMPREPLY=($(compgen -W '");
	any = 0;
	for (size_t i = 0; lo[i].name != NULL; i++) {
		char c = complete_short(&lo[i]);

		if (complete_seen(lo, i))
			continue;
		buf_printf(b, "%s--%s", any ? " " : "", lo[i].name);
		if (c != 0)
			buf_printf(b, " -%c", c);
		any = 1;
	}
	buf_addstr(b, "' -- \"$cur\"))\n"
	    "\t\treturn;;\n"
	    "\tesac\n"
	    "\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	    "}\n"
	    "complete -o filenames -F _imgmeta imgmeta\n");
}

/* Text inside a single-quoted zsh _arguments spec: the quote closed and
 * reopened around a quote, and what the spec gives a meaning to
 * escaped. */
static void
complete_zsh_text(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			buf_addstr(b, "'\\''");
		else if (strchr("\\[]:", *s) != NULL) {
			buf_addc(b, '\\');
			buf_addc(b, *s);
		} else if ((unsigned char)*s < 0x20)
			buf_addc(b, ' ');
		else
			buf_addc(b, *s);
	}
}

static void
complete_zsh(struct buf *b, const struct option *lo, const char *format_opt)
{
	buf_addstr(b,
	    "#compdef imgmeta\n"
	    "# zsh completion for imgmeta, made from its option table by\n"
	    "# `imgmeta --completion zsh`. Every option may be given again\n"
	    "# (the filters and a format's options are repeatable).\n"
	    "_arguments -s -S \\\n");
	for (size_t i = 0; lo[i].name != NULL; i++) {
		const struct writer_ops *fmt = NULL;
		const struct writer_option *fo;
		const char *choices = complete_choices(lo[i].name);
		char c = complete_short(&lo[i]);
		struct buf arg = BUF_INIT;

		if (complete_seen(lo, i))
			continue;
		fo = complete_fmt_opt(lo[i].name, &fmt);
		if (lo[i].has_arg != no_argument) {
			buf_printf(&arg, ":%s:", lo[i].name);
			if (strcmp(lo[i].name, format_opt) == 0) {
				buf_addc(&arg, '(');
				for (size_t k = 0; writers[k] != NULL; k++)
					if (complete_word_ok(writers[k]->name,
					    strlen(writers[k]->name)))
						buf_printf(&arg, "%s%s",
						    k > 0 ? " " : "",
						    writers[k]->name);
				buf_addc(&arg, ')');
			} else if (choices != NULL) {
				buf_addc(&arg, '(');
				complete_words(&arg, choices);
				buf_addc(&arg, ')');
			} else
				buf_addstr(&arg, "_files");
		}
		for (int s = c != 0 ? 0 : 1; s < 2; s++) {
			if (s == 0)
				buf_printf(b, "\t'*-%c%s", c,
				    lo[i].has_arg != no_argument ? "+" : "");
			else
				buf_printf(b, "\t'*--%s%s", lo[i].name,
				    lo[i].has_arg != no_argument ? "=" : "");
			if (fo != NULL && fo->help != NULL) {
				buf_addc(b, '[');
				complete_zsh_text(b, fmt->name);
				buf_addstr(b, ": ");
				complete_zsh_text(b, fo->help);
				buf_addc(b, ']');
			}
			buf_printf(b, "%s' \\\n", buf_cstr(&arg));
		}
		buf_free(&arg);
	}
	buf_addstr(b, "\t'*:input:_files'\n");
}

char *
complete_script(const char *shell, const struct option *lo,
    const char *format_opt)
{
	struct buf b = BUF_INIT;

	if (strcmp(shell, "bash") == 0)
		complete_bash(&b, lo, format_opt);
	else if (strcmp(shell, "zsh") == 0)
		complete_zsh(&b, lo, format_opt);
	else
		return NULL;
	return buf_detach(&b);
}
