//! The question banks commands draw from: the shipped bank, compiled in, and the banks servers
//! imported, loaded from the database on first use and kept.
//!
//! Bank versions never change once stored (a changed file is a new version), so a loaded
//! version stays valid for the life of the process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::domain::bank::{Bank, Question};
use crate::domain::scoring::Corpus;
use crate::store::{Store, StoreError, StoredBank};

/// A bank with everything needed to score against it.
pub struct Content {
    pub bank: Bank,
    pub corpus: Corpus,
    pub stored: StoredBank,
}

impl Content {
    pub fn new(bank: Bank, stored: StoredBank) -> Content {
        Content::with_background(bank, stored, &[])
    }

    /// Word rarity counted over `background` too (see [`Corpus::with_background`]).
    pub fn with_background(bank: Bank, stored: StoredBank, background: &[Question]) -> Content {
        let corpus = Corpus::with_background(&bank.questions, background);
        Content {
            bank,
            corpus,
            stored,
        }
    }

    fn index_of_row(&self, row: i64) -> Option<usize> {
        let (slug, _) = self
            .stored
            .question_ids
            .iter()
            .find(|(_, id)| **id == row)?;
        self.bank
            .questions
            .iter()
            .position(|q| q.id.as_str() == slug)
    }

    pub fn row_of(&self, q: &Question) -> Option<i64> {
        self.stored.question_id(q.id.as_str())
    }
}

/// A stored question together with the bank version it belongs to.
#[derive(Clone)]
pub struct Asked {
    content: Arc<Content>,
    index: usize,
}

impl Asked {
    pub fn question(&self) -> &Question {
        &self.content.bank.questions[self.index]
    }

    /// What the answer is scored against: the question's own bank.
    pub fn corpus(&self) -> &Corpus {
        &self.content.corpus
    }
}

/// Loaded versions beyond this are dropped (and reloaded when asked for again).
const MAX_LOADED: usize = 256;

pub struct Library {
    shipped: Arc<Content>,
    loaded: Mutex<HashMap<i64, Arc<Content>>>,
}

impl Library {
    pub fn new(shipped: Content) -> Library {
        Library {
            shipped: Arc::new(shipped),
            loaded: Mutex::new(HashMap::new()),
        }
    }

    pub fn shipped(&self) -> &Arc<Content> {
        &self.shipped
    }

    /// A stored bank version, ready to score.
    pub async fn version(
        &self,
        store: &Store,
        bank_id: i64,
    ) -> Result<Option<Arc<Content>>, StoreError> {
        if bank_id == self.shipped.stored.id {
            return Ok(Some(self.shipped.clone()));
        }
        if let Some(found) = self.cached(bank_id) {
            return Ok(Some(found));
        }
        let Some(version) = store.bank_version(bank_id).await? else {
            return Ok(None);
        };
        // Stored text passed the same checks when it was imported; failing now means the
        // database was edited by hand or this binary's rules changed.
        let bank = Bank::from_file_text(&format!("bank {}", version.slug), &version.source)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        // A server's bank may be a handful of questions: count word rarity over the shipped
        // bank as well.
        let content = Arc::new(Content::with_background(
            bank,
            version.stored,
            &self.shipped.bank.questions,
        ));
        if let Ok(mut loaded) = self.loaded.lock() {
            if loaded.len() >= MAX_LOADED {
                loaded.clear();
            }
            loaded.insert(bank_id, content.clone());
        }
        Ok(Some(content))
    }

    fn cached(&self, bank_id: i64) -> Option<Arc<Content>> {
        self.loaded.lock().ok()?.get(&bank_id).cloned()
    }

    /// The question stored as `row`, from whichever bank version holds it.
    pub async fn question(&self, store: &Store, row: i64) -> Result<Option<Asked>, StoreError> {
        if let Some(index) = self.shipped.index_of_row(row) {
            return Ok(Some(Asked {
                content: self.shipped.clone(),
                index,
            }));
        }
        let Some(bank_id) = store.bank_of_question(row).await? else {
            return Ok(None);
        };
        let Some(content) = self.version(store, bank_id).await? else {
            return Ok(None);
        };
        Ok(content
            .index_of_row(row)
            .map(|index| Asked { content, index }))
    }

    /// The bank a server asked for by id: its own bank's active version, or the shipped bank
    /// when `slug` is `None` or names it.
    pub async fn for_server(
        &self,
        store: &Store,
        guild_id: i64,
        slug: Option<&str>,
    ) -> Result<Option<Arc<Content>>, StoreError> {
        let slug = match slug.map(str::trim) {
            None | Some("") => return Ok(Some(self.shipped.clone())),
            Some(s) if s.eq_ignore_ascii_case(&self.shipped.bank.meta.id) => {
                return Ok(Some(self.shipped.clone()));
            }
            Some(s) => s,
        };
        match store.active_bank_id(guild_id, slug).await? {
            Some(id) => self.version(store, id).await,
            None => Ok(None),
        }
    }
}
