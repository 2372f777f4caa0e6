/*
 * sqlite_wb.h: a write-behind SQLite VFS for building a new database on
 * a thread of its own (see sqlite_wb.c).
 */
#ifndef IMGMETA_SQLITE_WB_H
#define IMGMETA_SQLITE_WB_H

/* The VFS's name for sqlite3_open_v2, registered on the first call
 * (thread-safe); NULL if SQLite refused it (then open with the default). */
const char	*sqlite_wb_vfs(void);

#endif
