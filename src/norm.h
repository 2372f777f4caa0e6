/*
 * norm.h: from what an API sent to a field's canonical text (record.h
 * lists the canonical forms).
 */
#ifndef IMGMETA_NORM_H
#define IMGMETA_NORM_H

/* Reasons record.c's setters share, completing "FIELD \"VALUE\": ...". */
#define NORM_WHY_NEGATIVE	"is negative"
#define NORM_WHY_FRACTION	"is not a whole number"

/*
 * The mapping rules of DESIGN.md section 3, one function each. Each takes
 * the text an API sent and returns 0 with *out set to a newly allocated
 * canonical text, or -1 with *why set to a static reason.
 */
int	norm_bool(const char *, char **out, const char **why);
int	norm_int(const char *, char **out, const char **why);
int	norm_time(const char *, char **out, const char **why);
/* a Date header */
int	norm_http_date(const char *, char **out, const char **why);
int	norm_uuid(const char *, char **out, const char **why);
int	norm_md5(const char *, char **out, const char **why);
/* Status: Glance's own values kept; anything else gives 0 with *out =
 * NULL (null, not an error). A reader whose API has statuses of its own
 * maps them to Glance's first. */
int	norm_status(const char *, char **out, const char **why);
int	norm_visibility(const char *, char **out, const char **why);
/* A status of Glance's -> deleted: "true" for deleted and pending_delete,
 * "false" for the others, NULL for what is not one of Glance's. Returns a
 * static string or NULL. */
const char *norm_status_deleted(const char *status);

#endif
