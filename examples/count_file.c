/* count_file.c: counts the tokens of a file through tokwise's C ABI.
 *
 *   count_file_c [--model MODEL | --encoding NAME] FILE
 *
 * Prints "<tokens> tokens (<encoding>)". The default model is gpt-4o. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tokwise/tokwise.h>

/* Reads a whole file into a malloc'ed buffer; returns NULL on error. */
static char* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  size_t cap = 1 << 16, len = 0;
  char* data = malloc(cap);
  size_t got;
  while (data != NULL && (got = fread(data + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) {
      char* bigger = realloc(data, cap *= 2);
      if (bigger == NULL) free(data);
      data = bigger;
    }
  }
  if (ferror(f)) {
    free(data);
    data = NULL;
  }
  fclose(f);
  *size = len;
  return data;
}

int main(int argc, char** argv) {
  const char* model = "gpt-4o";
  const char* encoding_name = NULL;
  const char* path = NULL;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
      model = argv[++i];
    } else if (strcmp(argv[i], "--encoding") == 0 && i + 1 < argc) {
      encoding_name = argv[++i];
    } else {
      path = argv[i];
    }
  }
  if (path == NULL) {
    fprintf(stderr, "usage: %s [--model MODEL | --encoding NAME] FILE\n", argv[0]);
    return 1;
  }

  /* The header and the library must agree on the major version. */
  if (tokwise_version_number() / 1000000 != TOKWISE_VERSION_MAJOR) {
    fprintf(stderr, "tokwise %s loaded, built against %s\n", tokwise_version_string(),
            TOKWISE_VERSION_STRING);
    return 1;
  }

  tokwise_encoding* enc = NULL;
  tokwise_status st = encoding_name != NULL ? tokwise_encoding_get(encoding_name, &enc)
                                            : tokwise_encoding_for_model(model, &enc);
  if (st != TOKWISE_STATUS_OK) {
    fprintf(stderr, "%s: %s\n", tokwise_status_string(st), tokwise_last_error());
    return 1;
  }

  size_t size = 0;
  char* text = read_file(path, &size);
  if (text == NULL) {
    fprintf(stderr, "cannot read %s\n", path);
    tokwise_encoding_free(enc);
    return 2;
  }

  /* Counting allocates nothing for the ids; NULL options: special-token strings count as
   * text, invalid UTF-8 is an error naming its byte offset. */
  size_t count = 0;
  st = tokwise_encoding_count(enc, text, size, NULL, &count);
  if (st != TOKWISE_STATUS_OK) {
    fprintf(stderr, "%s: %s: %s\n", path, tokwise_status_string(st), tokwise_last_error());
  } else {
    printf("%zu tokens (%s)\n", count, tokwise_encoding_name(enc));
  }

  free(text);
  tokwise_encoding_free(enc);
  return st == TOKWISE_STATUS_OK ? 0 : 2;
}
