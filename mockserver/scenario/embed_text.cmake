# cmake -DINPUT=FILE -DOUTPUT=FILE.cpp -DNAME=SYMBOL -DNAMESPACE=NS -P embed_text.cmake
# Writes FILE's text as `extern const char* const SYMBOL` in namespace NS:
# the control page is part of the binary, never read from disk at run time.
file(READ "${INPUT}" text)
string(FIND "${text}" ")embedded\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string's end marker")
endif()
file(WRITE "${OUTPUT}.tmp" "// Made from ${INPUT} by embed_text.cmake; do not edit.\nnamespace ${NAMESPACE} {\nextern const char* const ${NAME};\nconst char* const ${NAME} = R\"embedded(${text})embedded\";\n}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
