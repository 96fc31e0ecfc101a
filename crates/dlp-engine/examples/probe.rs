//! Times the signature-literal prefilter on a file: `cargo run --release --example probe FILE`.
use dlp_engine::keywords::{Trigger, Triggers};
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let buf = std::fs::read(path).expect("readable");
    let words = [
        ("绝密", false),
        ("机密文件", false),
        ("商业秘密", false),
        ("内部资料", false),
        ("严禁外传", false),
        ("禁止外传", false),
        ("仅限内部", false),
        ("客户名单", false),
        ("客户信息表", false),
        ("客户资料", false),
        ("客户明细", false),
        ("会员名单", false),
        ("strictly confidential", true),
        ("internal use only", true),
        ("customer list", true),
    ];
    let list: Vec<Trigger> = words
        .iter()
        .enumerate()
        .map(|(i, (w, c))| Trigger {
            literal: w.as_bytes().to_vec(),
            caseless: *c,
            rule: (i / 8) as u32,
        })
        .collect();
    let t = Triggers::new(&list).unwrap();
    let start = Instant::now();
    let mut n = 0;
    for chunk in buf.chunks(4 << 20) {
        n += t.triggered(chunk).len();
    }
    let dt = start.elapsed().as_secs_f64();
    println!("{n} rules, {:.1} MB/s", buf.len() as f64 / dt / 1e6);
}
