// Runs the CloudFront rewrite function of infra/template.yaml (its code, extracted by
// scripts/check-infra.sh, is the file named by the first argument) against the paths whose page
// api/src/spa/mod.rs chooses locally: both must give each route the page of its bundle (ADR 0008).
import { readFileSync } from "node:fs";

const code = readFileSync(process.argv[2], "utf8");
const handler = new Function(`${code}\nreturn handler;`)();
const expected = {
  "/": "/index.html",
  "/accedi": "/public.html",
  "/richiesta-pin/contatti": "/public.html",
  "/richiesta-pin": "/richiesta-pin-identita.html",
  "/richiesta-pin/identita": "/richiesta-pin-identita.html",
  "/richiesta-pin/identita/": "/richiesta-pin-identita.html",
  "/domande-vecchie": "/public.html",
  "/non-esiste": "/public.html",
  "/uscito": "/public.html",
  "/domanda": "/area.html",
  "/domanda/": "/area.html",
  "/domanda/pagamento": "/area.html",
  "/domanda/ricevuta/INPS-2020-0000001": "/area.html",
  "/le-mie-domande": "/area.html",
  "/le-mie-domande/": "/area.html",
  "/operatore": "/console.html",
  "/operatore/": "/console.html",
  "/operatore/accesso": "/console.html",
  "/operatore/chiamata/0123abcd/riepilogo": "/console.html",
  "/operatorex": "/public.html",
  "/coda": "/queue.html",
  "/coda/": "/queue.html",
  "/coda/altro": "/queue.html",
  "/codax": "/public.html",
  "/accedi/coda": "/public.html",
  "/queue.0123456789abcdef.js": "/queue.0123456789abcdef.js",
  "/console.0123456789abcdef.js": "/console.0123456789abcdef.js",
  "/area.0123456789abcdef.js": "/area.0123456789abcdef.js",
  "/frontend_bg.0123456789abcdef.wasm": "/frontend_bg.0123456789abcdef.wasm",
  "/style.0123456789abcdef.css": "/style.0123456789abcdef.css",
  "/domanda/x.js": "/domanda/x.js",
};
let failures = 0;
for (const [uri, page] of Object.entries(expected)) {
  const got = handler({ request: { uri, headers: {} } }).uri;
  if (got !== page) {
    console.error(`FAILED: ${uri} → ${got}, expected ${page}`);
    failures += 1;
  }
}
if (failures > 0) process.exit(1);
console.log(`    the CloudFront rewrite gives ${Object.keys(expected).length} paths their bundle's page`);
