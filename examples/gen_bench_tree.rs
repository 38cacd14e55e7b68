//! Write the synthetic benchmark tree: `cargo run --example gen_bench_tree -- DIR`.

#[path = "../benches/gen_tree.rs"]
mod gen_tree;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: gen_bench_tree DIR");
        std::process::exit(1);
    };
    match gen_tree::generate(std::path::Path::new(&dir), &gen_tree::TreeShape::default()) {
        Ok(stack) => println!("{stack}"),
        Err(e) => {
            eprintln!("gen_bench_tree: {dir}: {e}");
            std::process::exit(1);
        }
    }
}
