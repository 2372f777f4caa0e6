/* formats/write_json.c: not written yet */
#include "config.h"
typedef int stub_write_json;
