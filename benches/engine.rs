//! Benchmarks of the layer engine on a generated 180-layer tree: discovery, resolve+merge,
//! and the whole `skiff layers` process.

mod gen_tree;

use criterion::{Criterion, criterion_group, criterion_main};
use skiff::build::workspace::merge_current;
use skiff::model::configure::ConfigureEnv;
use skiff::model::{Catalog, DiscoverOptions, Tree, resolve_text};
use std::time::Duration;

fn engine(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let stack = gen_tree::generate(dir.path(), &gen_tree::TreeShape::default()).expect("generate");
    let tree = Tree::open(dir.path()).expect("tree");
    let opts = DiscoverOptions {
        configs_dir: tree.configs_dir(),
        ..Default::default()
    };
    let env = ConfigureEnv::default();
    let mut g = c.benchmark_group("engine");
    g.measurement_time(Duration::from_secs(5));
    g.bench_function("discover_180_layers", |b| {
        b.iter(|| Catalog::discover(&opts).expect("discover"))
    });
    g.bench_function("discover_resolve_merge_10_layer_stack", |b| {
        b.iter(|| {
            let cat = Catalog::discover(&opts).expect("discover");
            let r = resolve_text(&cat, &stack).expect("resolve");
            merge_current(&tree, &cat, &r, "bench", &env).expect("merge")
        })
    });
    let cat = Catalog::discover(&opts).expect("discover");
    let r = resolve_text(&cat, &stack).expect("resolve");
    g.bench_function("resolve_merge_only", |b| {
        b.iter(|| {
            merge_current(
                &tree,
                &cat,
                &resolve_text(&cat, &stack).expect("resolve"),
                "bench",
                &env,
            )
            .expect("merge")
        })
    });
    let _ = r;
    g.bench_function("process_skiff_layers", |b| {
        b.iter(|| {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_skiff"))
                .arg("--root")
                .arg(dir.path())
                .arg("layers")
                .output()
                .expect("run skiff");
            assert!(out.status.success());
        })
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
