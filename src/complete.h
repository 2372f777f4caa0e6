/*
 * complete.h: shell completion for imgmeta, made from the option table
 * that getopt_long reads (the program's options with the formats' own in
 * it), so that the completion cannot drift from what the program
 * accepts. Installed by make install; imgmeta --completion SHELL prints
 * it.
 *
 * Completed: every long option, and the short option of each long option
 * whose getopt value is a letter or digit; after format_opt (and its
 * short option), the names of writers[]; after a format's own option
 * whose argument reads "a|b", a and b; after any other option taking an
 * argument, and for the inputs, file names.
 */
#ifndef IMGMETA_COMPLETE_H
#define IMGMETA_COMPLETE_H

#include <getopt.h>

/*
 * The completion script for shell ("bash" or "zsh"), from lo (ended by
 * an entry whose name is NULL); format_opt names the option whose
 * argument is an output format. NULL for another shell; else the caller
 * frees it.
 */
char	*complete_script(const char *shell, const struct option *lo,
	    const char *format_opt);

#endif
