// The translation unit that makes the tests' precompiled header
// (GoogleTest and GoogleMock; tests/CMakeLists.txt): nothing of its own.
