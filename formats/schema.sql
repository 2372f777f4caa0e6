-- schema.sql: the SQLite output of imgmeta (DESIGN.md section 5).
--
-- imgmeta creates a new database from exactly this text (it is compiled
-- into the program), and refuses to write into a database whose
-- application_id differs or whose user_version is newer than this one.
-- A database of an older schema version (1 to 4) is brought to this one
-- in the run's transaction: the tables between "-- version 3 begin" and
-- "-- version 3 end" below are created in it, runs gains its duplicates
-- column and image_sources its sha256 (after observation, where ALTER
-- TABLE puts it; NULL in the rows already there), the CHECK on
-- images.visibility is widened (version 4), the tables between
-- "-- version 5 begin" and "-- version 5 end" are created, and
-- user_version becomes 5 (an imgmeta that writes only earlier versions
-- then refuses it).
-- Installed as
-- $(datadir)/imgmeta/schema.sql.
--
-- One run of imgmeta is one transaction: a run that fails or is
-- interrupted leaves the database as it was. The program also sets, on
-- its connection, PRAGMA foreign_keys = ON when it adds to a database,
-- and the database is left in PRAGMA journal_mode = WAL, so that readers
-- may query it while a nightly run writes. A new database is built under
-- a temporary name and renamed into place when complete, with PRAGMA
-- page_size = 16384 and without the constraints below evaluated row by row
-- (what it holds meets them: its values are the canonical record's).
--
-- Writing into an existing database merges: for every image a run sees,
-- the observations stored in image_sources are folded again together with
-- the new ones, in the order of DESIGN.md section 3 (Date, then run, then
-- input order), and the image's rows in images, image_properties,
-- image_sources and conflicts are replaced. Feeding captures in batches
-- thus gives the same images and image_properties as one run over all of
-- them in the same order.
--
-- Values are the canonical record's: text as sent, timestamps RFC 3339
-- UTC ending in Z (fractional seconds kept as written), integers as
-- INTEGER, booleans as 0/1, NULL where no source said.
--
-- Schema version 4 adds Glance v2's shared and community to the CHECK on
-- images.visibility (versions 1 to 3 allowed public and private only);
-- an older database's CHECK is widened by editing its CREATE TABLE text
-- (the rows on disk are the same under both).
--
-- Schema version 5 adds the pages table.

PRAGMA application_id = 1229801293;	-- 0x494d474d, "IMGM"
PRAGMA user_version = 5;		-- the schema version

-- One row per run of imgmeta that wrote into this database, numbered
-- 1, 2, ... in the order they ran. The counts are those of the summary
-- line; finished is NULL only while the run's transaction is open.
CREATE TABLE runs (
	id		INTEGER PRIMARY KEY,
	started		TEXT NOT NULL,		-- RFC 3339 UTC
	finished	TEXT,			-- RFC 3339 UTC
	version		TEXT NOT NULL,		-- imgmeta's version
	arguments	TEXT NOT NULL,		-- JSON array: the command line
	inputs		INTEGER,		-- files read, duplicates too
	bytes		INTEGER,		-- bytes read (decompressed)
	responses	INTEGER,
	observations	INTEGER,		-- observations kept
	records		INTEGER,		-- records written by this run
	filtered	INTEGER,		-- records left out by filters
	rejected	INTEGER,		-- rejected responses/observations
	non2xx		INTEGER,		-- of which non-2xx responses
	conflicts	INTEGER,
	warnings	INTEGER,
	duplicates	INTEGER			-- inputs not read again
);

-- One row per image: the merged record, a column per field, in the
-- order of the canonical record; sources is the number of observations
-- (they are in image_sources).
CREATE TABLE images (
	id		TEXT PRIMARY KEY NOT NULL
			CHECK (length(id) = 36 AND id NOT GLOB '*[^0-9a-f-]*'),
	name		TEXT,
	status		TEXT CHECK (status IN ('queued', 'saving',
			    'uploading', 'importing', 'active', 'deactivated',
			    'killed', 'deleted', 'pending_delete')),
	-- public, private (v1's is_public), shared, community (Glance v2's)
	visibility	TEXT CHECK (visibility IN ('public', 'private',
			    'shared', 'community')),
	protected	INTEGER CHECK (protected IN (0, 1)),
	container_format TEXT,
	disk_format	TEXT,
	size		INTEGER CHECK (size >= 0),	-- bytes
	virtual_size	INTEGER CHECK (virtual_size >= 0),	-- bytes
	checksum	TEXT CHECK (length(checksum) = 32 AND
			    checksum NOT GLOB '*[^0-9a-f]*'),	-- MD5
	min_ram		INTEGER CHECK (min_ram >= 0),	-- MB
	min_disk	INTEGER CHECK (min_disk >= 0),	-- GB
	owner		TEXT,
	created_at	TEXT CHECK (created_at GLOB '*Z'),
	updated_at	TEXT CHECK (updated_at GLOB '*Z'),
	deleted		INTEGER CHECK (deleted IN (0, 1)),
	deleted_at	TEXT CHECK (deleted_at GLOB '*Z'),
	sources		INTEGER NOT NULL CHECK (sources >= 1)	-- observations
) WITHOUT ROWID;	-- rows in id order, whatever order the runs wrote them

-- The record's properties; value NULL is a property sent as JSON null.
CREATE TABLE image_properties (
	image_id	TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
	key		TEXT NOT NULL,
	value		TEXT,
	PRIMARY KEY (image_id, key)
) WITHOUT ROWID;

-- One row per observation of an image, in fold order (seq 0, 1, ...):
-- where it came from (the source fields of the record's sources list), the
-- run that read it, and what it said, as the canonical JSON of that single
-- observation (id, fields, properties, one source), which later runs fold
-- again with their own observations. observation is NULL where the image
-- has this one observation (images.sources = 1): what it said is then the
-- image's row in images and its rows in image_properties, with this row's
-- source. (Schema version 1 stored the JSON there too: imgmeta reads
-- it, and writes into it as version 1; see the versions above.)
CREATE TABLE image_sources (
	image_id	TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
	seq		INTEGER NOT NULL CHECK (seq >= 0),
	run		INTEGER NOT NULL REFERENCES runs (id),
	file		TEXT,		-- as given on the command line
	at		TEXT,		-- "OFFSET" or "OFFSET#/json/pointer"
	api		TEXT,		-- v1, v1.1, v2.1
	call		TEXT,		-- head, detail, list, show, metadata
	date		TEXT,		-- the response's Date, RFC 3339 UTC
	request_id	TEXT,
	project_id	TEXT,
	status		TEXT,		-- the status exactly as the API sent it
	url		TEXT,		-- the request URL, when captured
	sha256		TEXT,		-- of the input file: inputs.sha256
	observation	TEXT,		-- JSON; NULL: the images row
	PRIMARY KEY (image_id, seq)
) WITHOUT ROWID;

-- Disagreements between the observations of an image: field ("name", or
-- "properties.KEY" for a property), the earlier value that was replaced
-- and the later value that was kept, where each came from, and the run
-- whose observation brought the later value. Replaced with the image's
-- other rows, so it lists the disagreements among everything stored.
CREATE TABLE conflicts (
	image_id	TEXT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
	seq		INTEGER NOT NULL,	-- in the order they were found
	field		TEXT NOT NULL,
	old_value	TEXT,
	new_value	TEXT,
	old_file	TEXT,
	old_at		TEXT,
	old_api		TEXT,
	new_file	TEXT,
	new_at		TEXT,
	new_api		TEXT,
	run		INTEGER NOT NULL REFERENCES runs (id),
	PRIMARY KEY (image_id, seq)
) WITHOUT ROWID;

-- Responses and observations a run did not keep (a line of standard
-- error each): file, position in it, and why.
CREATE TABLE rejects (
	id		INTEGER PRIMARY KEY,
	run		INTEGER NOT NULL REFERENCES runs (id),
	file		TEXT,
	position	TEXT,
	reason		TEXT NOT NULL
);
CREATE INDEX rejects_run ON rejects (run);

-- version 3 begin
-- The inputs as evidence: one row per input file of each run, in the
-- order read, with the SHA-256 of its bytes as read (of the file itself,
-- compressed if it is gzip: what sha256sum prints for it) and its size.
-- A file with the same bytes as one read earlier, in this run or an
-- earlier one, is not read again: duplicate_of names that input's row,
-- and it yielded nothing. An observation's input is the row of its
-- digest that is not a duplicate: image_sources s JOIN inputs i ON
-- i.sha256 = s.sha256 AND i.duplicate_of IS NULL.
CREATE TABLE inputs (
	id		INTEGER PRIMARY KEY,
	run		INTEGER NOT NULL REFERENCES runs (id),
	path		TEXT NOT NULL,		-- as given on the command line
	size		INTEGER NOT NULL CHECK (size >= 0),	-- bytes
	sha256		TEXT NOT NULL CHECK (length(sha256) = 64 AND
			    sha256 NOT GLOB '*[^0-9a-f]*'),
	duplicate_of	INTEGER REFERENCES inputs (id),
	responses	INTEGER NOT NULL,	-- what it yielded
	observations	INTEGER NOT NULL,	-- kept
	rejects		INTEGER NOT NULL,	-- responses and observations
	warnings	INTEGER NOT NULL
);
CREATE INDEX inputs_sha256 ON inputs (sha256);
CREATE INDEX inputs_run ON inputs (run, path);

-- Warnings of a run (a line of standard error each, kept with -q too):
-- data kept, but something was odd. file, position in it, and why.
CREATE TABLE warnings (
	id		INTEGER PRIMARY KEY,
	run		INTEGER NOT NULL REFERENCES runs (id),
	file		TEXT,
	position	TEXT,
	message		TEXT NOT NULL
);
CREATE INDEX warnings_run ON warnings (run);
-- version 3 end

-- version 5 begin
-- The pages of paged lists a run read (Nova v2.1 images_links rel=next,
-- Glance v2 next), in input order: where each page is, how it was
-- requested, its next link and whether the page that link points to was
-- among the run's inputs (README "Paged lists"): 'found' (then where),
-- 'missing' (a warning, or with --strict a reject, named next_url),
-- 'unknown' (a page captured without its request URL may be it), NULL
-- for a page without a next link. Decided among one run's inputs.
CREATE TABLE pages (
	id		INTEGER PRIMARY KEY,
	run		INTEGER NOT NULL REFERENCES runs (id),
	file		TEXT NOT NULL,	-- as given on the command line
	position	TEXT NOT NULL,	-- the response's byte offset
	api		TEXT NOT NULL,	-- v2.1, v2
	url		TEXT,		-- the request URL, when captured
	marker		TEXT,		-- the marker it was requested with
	images		INTEGER NOT NULL,	-- observations it gave
	first_image	TEXT,		-- the first and last image's id
	last_image	TEXT,
	next		TEXT,		-- the next link as the page gave it
	next_url	TEXT,		-- the URL to capture for that page
	next_page	TEXT CHECK (next_page IN ('found', 'missing',
			    'unknown')),
	next_file	TEXT,		-- where it was found
	next_position	TEXT
);
CREATE INDEX pages_run ON pages (run);
-- version 5 end

CREATE INDEX image_sources_run ON image_sources (run);
CREATE INDEX conflicts_run ON conflicts (run);

-- How many images per status and visibility.
CREATE VIEW images_per_status AS
	SELECT status, visibility, count(*) AS images
	FROM images
	GROUP BY status, visibility;

-- Images whose sources disagree on a property: one row per property and
-- image, with the value kept, how many times it changed and the values
-- that were replaced.
CREATE VIEW property_disagreements AS
	SELECT c.image_id, i.name, substr(c.field, 12) AS key,
	    p.value AS value, count(*) AS changes,
	    group_concat(DISTINCT c.old_value) AS replaced_values
	FROM conflicts c
	JOIN images i ON i.id = c.image_id
	LEFT JOIN image_properties p
	    ON p.image_id = c.image_id AND p.key = substr(c.field, 12)
	WHERE substr(c.field, 1, 11) = 'properties.'
	GROUP BY c.image_id, c.field;

-- Images that only one API (v1, v1.1 or v2.1) ever reported, so nothing
-- could confirm or contradict what it said.
CREATE VIEW images_single_api AS
	SELECT i.id, i.name, i.status, min(s.api) AS api,
	    count(*) AS observations
	FROM images i
	JOIN image_sources s ON s.image_id = i.id
	GROUP BY i.id
	HAVING count(DISTINCT coalesce(s.api, '')) = 1;
