#!/usr/bin/env node
// First build step of every package, run in the package folder before `tsc`: removes dist/ so that a renamed or deleted
// source never leaves its old .js or .d.ts behind in the published output.
import { rmSync } from "node:fs";
import { join } from "node:path";

rmSync(join(process.cwd(), "dist"), { recursive: true, force: true });
