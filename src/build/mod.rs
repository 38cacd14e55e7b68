//! Buildroot runner: workspace setup, make invocation, build events and cancellation.
