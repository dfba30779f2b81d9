//! Pairing words: three short words shown both in the app and on the browser page after sign-in,
//! so a user can see that the tab belongs to this app (the Stripe CLI does the same).

use rand::seq::SliceRandom;

const WORDS: &[&str] = &[
    "acorn", "amber", "anchor", "apple", "arrow", "aspen", "atlas", "badge", "bamboo", "banjo", "basil", "beacon", "berry",
    "birch", "bison", "blossom", "breeze", "brook", "cabin", "cactus", "camel", "candle", "canyon", "cedar", "cello", "cherry",
    "cider", "clover", "cobalt", "comet", "coral", "cotton", "crane", "cricket", "daisy", "delta", "denim", "dolphin", "dune",
    "eagle", "ember", "falcon", "fern", "fiddle", "finch", "fjord", "flint", "garden", "garnet", "glacier", "harbor", "hazel",
    "heron", "honey", "island", "ivory", "jasmine", "juniper", "kayak", "kettle", "kiwi", "lagoon", "lantern", "lemon", "lilac",
    "linen", "lotus", "maple", "marble", "meadow", "melon", "mesa", "mint", "mosaic", "nectar", "nutmeg", "oasis", "olive",
    "orbit", "orchid", "otter", "paddle", "panda", "pebble", "pepper", "piano", "pine", "planet", "plum", "pony", "prairie",
    "quartz", "quill", "raven", "reef", "ribbon", "river", "robin", "saffron", "sage", "salmon", "sandal", "sparrow", "spruce",
    "summit", "swan", "thistle", "tiger", "topaz", "tulip", "tundra", "valley", "velvet", "violet", "walnut", "willow", "zephyr",
];

/// Three distinct random words joined with spaces, e.g. "amber falcon river".
pub fn pairing_words() -> String {
    let mut rng = rand::thread_rng();
    WORDS.choose_multiple(&mut rng, 3).copied().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_distinct_known_words() {
        let words = pairing_words();
        let parts: Vec<&str> = words.split(' ').collect();
        assert_eq!(parts.len(), 3);
        assert!(parts.iter().all(|w| WORDS.contains(w)));
        assert!(parts[0] != parts[1] && parts[1] != parts[2] && parts[0] != parts[2]);
    }

    #[test]
    fn the_word_list_has_no_duplicates() {
        let mut sorted = WORDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), WORDS.len());
    }
}
