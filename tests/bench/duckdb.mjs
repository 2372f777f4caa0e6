// duckdb.mjs: make bench's DuckDB runs, through the npm package
// @duckdb/node-api, which bench.sh installs into the bench's scratch
// directory at set-up and runs this file from a copy there (node finds
// the package from the script's own directory).
//
//   node duckdb.mjs version
//     prints DuckDB's version and its default number of threads
//   node duckdb.mjs THREADS GLOB OUT.csv SECONDS
//     flattens the Nova v2.1 detail pages GLOB into OUT.csv with the nine
//     columns of the bench's jq command (id, name, status, size, minRam,
//     minDisk, created, updated, metadata as JSON text), with THREADS
//     threads ("default": DuckDB's own choice, one a core), and writes to
//     SECONDS the wall-clock and CPU seconds the query took inside the
//     process (the engine's, without node's start and the library's load)
import { DuckDBInstance, version } from '@duckdb/node-api';
import { writeFileSync } from 'node:fs';

const quote = (s) => "'" + s.replaceAll("'", "''") + "'";
const args = process.argv.slice(2);

async function duckdb_connect(threads) {
	const opts = (threads === undefined || threads === 'default') ? {} : { threads };
	const db = await DuckDBInstance.create(':memory:', opts);
	return db.connect();
}

async function duckdb_threads(con) {
	const r = await con.runAndReadAll("SELECT current_setting('threads')");
	return String(r.getRows()[0][0]);
}

if (args[0] === 'version') {
	const con = await duckdb_connect();
	console.log(`${version()} ${await duckdb_threads(con)}`);
} else if (args.length === 4) {
	const [threads, glob, out, seconds] = args;
	const con = await duckdb_connect(threads);
	// the columns named with their types: DuckDB's own detection would
	// read metadata as a struct of every key seen (null where an image
	// lacks one), ids as UUIDs and times as timestamps
	const columns = "{images: 'STRUCT(id VARCHAR, name VARCHAR, status VARCHAR, " +
	    "\"OS-EXT-IMG-SIZE:size\" BIGINT, minRam BIGINT, minDisk BIGINT, " +
	    "created VARCHAR, updated VARCHAR, metadata JSON)[]'}";
	const sql = 'COPY (SELECT i.id, i.name, i.status, i."OS-EXT-IMG-SIZE:size", ' +
	    'i.minRam, i.minDisk, i.created, i.updated, i.metadata ' +
	    `FROM (SELECT unnest(images) AS i FROM read_json(${quote(glob)}, ` +
	    `columns = ${columns}))) TO ${quote(out)} (FORMAT csv, HEADER false)`;
	const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
	await con.run(sql);
	const t = Number(process.hrtime.bigint() - t0) / 1e9;
	const c = process.cpuUsage(c0);
	writeFileSync(seconds, `${t.toFixed(3)} ${((c.user + c.system) / 1e6).toFixed(3)}\n`);
} else {
	console.error('usage: node duckdb.mjs version | THREADS GLOB OUT.csv SECONDS');
	process.exit(2);
}
