//! The page's catalogs (`www/i18n/*.json`) against the core's messages: every kind the core can
//! report has its English template word for word in the English catalog, and every catalog has
//! every key of the English one with the same {placeholders}, so no message goes untranslated.

use std::collections::{BTreeMap, BTreeSet};

use gradscape_core::message::{english_templates, placeholders};

fn catalog(lang: &str) -> BTreeMap<String, String> {
    let path = format!("{}/../../www/i18n/{lang}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn names(template: &str) -> BTreeSet<String> {
    placeholders(template)
        .into_iter()
        .map(String::from)
        .collect()
}

#[test]
fn every_core_message_is_in_the_english_catalog_word_for_word() {
    let en = catalog("en");
    for (kind, template) in english_templates() {
        let key = format!("msg.{kind}");
        assert_eq!(en.get(&key).map(String::as_str), Some(*template), "{key}");
    }
}

#[test]
fn korean_and_japanese_have_every_key_with_the_same_placeholders() {
    let en = catalog("en");
    for lang in ["ko", "ja"] {
        let other = catalog(lang);
        let missing: Vec<&String> = en.keys().filter(|k| !other.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{lang} lacks {missing:?}");
        let extra: Vec<&String> = other.keys().filter(|k| !en.contains_key(*k)).collect();
        assert!(
            extra.is_empty(),
            "{lang} has keys English does not: {extra:?}"
        );
        for (key, text) in &en {
            assert_eq!(names(&other[key]), names(text), "{lang}: {key}");
        }
    }
}

/// `www/network-defaults.json`: the network view's settings by default, which the page's
/// `state()` gives before that view's module is loaded, are the core's.
#[test]
fn the_pages_network_defaults_are_the_cores() {
    let path = format!(
        "{}/../../www/network-defaults.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let page: Vec<(String, String)> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let core: Vec<(String, String)> = gradscape_core::train_scene::TrainSettings::default()
        .to_params()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    assert_eq!(page, core);
}
