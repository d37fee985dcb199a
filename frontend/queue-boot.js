// Starts the waiting room's bundle (the page /coda alone, ADR 0022): loads the wasm module next
// to this file and runs it (it mounts itself on <body>). A separate file rather than an inline
// script, so that a Content-Security-Policy needs no 'unsafe-inline'.
import init from "./queue.js";

init();
