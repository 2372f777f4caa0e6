/*
 * compare_table.h: --compare-format table, the differences as a table
 * for a terminal. One row per difference, five cells (ID, NAME, FIELD,
 * OLD, NEW), under a header. A column is as wide as its longest cell,
 * up to COMPARE_TABLE_WIDTH characters; a longer cell is cut, its last
 * character an ellipsis. Control characters in a cell are shown as \xNN,
 * so that a value from a capture cannot move the cursor or end a row.
 *
 * The rows wait in an anonymous temporary file until every width is
 * known, so memory does not grow with the number of rows.
 */
#ifndef IMGMETA_COMPARE_TABLE_H
#define IMGMETA_COMPARE_TABLE_H

#include "diag.h"
#include "output.h"

#define COMPARE_TABLE_COLUMNS	5
#define COMPARE_TABLE_WIDTH	32	/* characters; the ID column: 36 */

struct compare_table;

/* NULL after reporting (no temporary file). */
struct compare_table *compare_table_new(struct diag *);
/* One row: cells[COMPARE_TABLE_COLUMNS], UTF-8 (copied). */
enum rc	 compare_table_row(struct compare_table *, const char *const *cells);
/* The header and every row, padded, to out; nothing when there is no
 * row. */
enum rc	 compare_table_write(struct compare_table *, struct output *);
void	 compare_table_free(struct compare_table *);	/* NULL ok */

#endif
