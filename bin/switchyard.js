#!/usr/bin/env node
// Launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import { run } from '../dist/src/cli/main.js';
run();
