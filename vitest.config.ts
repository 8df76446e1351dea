import { defineConfig } from "vitest/config";
import LongestFirstSequencer from "./test/support/sequencer.ts";

export default defineConfig({
  test: {
    // Integration files mostly wait on the local cloud (queues, batching windows, drains): four
    // files at a time keep both cores of a 2-core machine busy, where three left a third of them
    // idle and five starved the longest file (docs/TESTING.md "How `npm test` keeps to its time";
    // vitest's default is cores - 1).
    maxWorkers: 4,
    // The files known to run longest start first within their project (test/support/sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "node",
          // One worker runs many unit files on one module graph instead of a fresh process per
          // file: importing the graph again was most of the unit project's CPU (docs/TESTING.md
          // "Suite time"). A file that stubs the environment restores it in afterAll.
          isolate: false,
        },
      },
      {
        test: {
          name: "infra",
          include: ["test/infra/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // The functions' and threads' bundles built once before any file boots a city.
          globalSetup: ["test/support/bundles-setup.ts"],
          environment: "node",
          // As the unit project: a worker runs many files on one module graph (the local cloud,
          // the SDK clients, the functions' code) instead of importing it again per file. Every
          // file stops what it boots in afterAll and restores any environment variable it sets.
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
