/*
 * xml-validate.c: xml-validate XSD FILE...: checks each FILE against the
 * XML Schema XSD with libxml2 (what `xmllint --noout --schema` does,
 * without needing xmllint installed). Prints "FILE: valid" or libxml2's
 * reasons; exits 0 when every file is valid, 1 when one is not, 2 when
 * the schema cannot be read. Used by tests/xml-vs-json.test.
 */
#include "config.h"

#include <stdio.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

int
main(int argc, char *argv[])
{
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaPtr schema;
	int status = 0;

	LIBXML_TEST_VERSION
	if (argc < 3) {
		fprintf(stderr, "usage: xml-validate XSD FILE...\n");
		return 2;
	}
	if ((pc = xmlSchemaNewParserCtxt(argv[1])) == NULL)
		return 2;
	schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (schema == NULL) {
		fprintf(stderr, "xml-validate: cannot read the schema %s\n",
		    argv[1]);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(schema);
		xmlDocPtr doc = xmlReadFile(argv[i], NULL, XML_PARSE_NONET);
		int r = -1;

		if (v != NULL && doc != NULL)
			r = xmlSchemaValidateDoc(v, doc);
		if (r == 0)
			printf("%s: valid\n", argv[i]);
		else {
			printf("%s: NOT valid\n", argv[i]);
			status = 1;
		}
		xmlFreeDoc(doc);
		xmlSchemaFreeValidCtxt(v);
	}
	xmlSchemaFree(schema);
	xmlCleanupParser();
	return status;
}
