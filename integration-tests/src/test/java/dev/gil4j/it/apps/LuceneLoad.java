package dev.gil4j.it.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Apache Lucene, the search library, indexing and searching from several threads: {@code LuceneLoad
 * INDEXERS DOCS_PER_INDEXER SEARCHERS SECONDS}. The indexers share one {@code IndexWriter} on a
 * directory in a temporary folder, which flushes a segment every {@value #BUFFERED_DOCS} documents
 * and merges them on its own merge threads; each document's text is {@value #WORDS_PER_DOC} words
 * drawn from {@value #VOCABULARY} by its number. After a commit the searchers share one {@code
 * IndexSearcher} for {@code SECONDS}, alternating one-word queries and two-word conjunctions.
 *
 * <p>Every query's hit count must equal the count worked out from the generator, and each of its
 * top hits, read back from the stored fields, must contain the words it was found for. Prints
 * {@code gil4j-metric} lines: {@code docs}, {@code index_docs_per_s}, {@code queries}, {@code
 * queries_per_s} and {@code mismatches} (queries that broke either rule).
 */
public final class LuceneLoad {
  static final int VOCABULARY = 48;
  static final int WORDS_PER_DOC = 12;
  static final int BUFFERED_DOCS = 500;
  static final int MIN_DOCS = 1000;
  private static final String FIELD = "body";

  private LuceneLoad() {}

  public static void main(String[] args) throws Exception {
    int indexers = Integer.parseInt(args[0]);
    int searchers = Integer.parseInt(args[1]);
    long indexNanos = (long) (Double.parseDouble(args[2]) * 1e9);
    long searchNanos = (long) (Double.parseDouble(args[3]) * 1e9);
    Path dir = Files.createTempDirectory("gil4j-lucene");
    try (Directory directory = FSDirectory.open(dir)) {
      long start = System.nanoTime();
      int[] added = index(directory, indexers, indexNanos);
      double indexSeconds = (System.nanoTime() - start) / 1e9;
      Expected expected = new Expected(added);
      try (DirectoryReader reader = DirectoryReader.open(directory)) {
        if (reader.numDocs() != expected.docs) {
          throw new IllegalStateException(
              "the index holds " + reader.numDocs() + " of " + expected.docs + " documents");
        }
        IndexSearcher searcher = new IndexSearcher(reader);
        List<Searcher> threads = new ArrayList<>();
        long searchStart = System.nanoTime();
        for (int s = 0; s < searchers; s++) {
          threads.add(new Searcher(s, searcher, expected, searchStart + searchNanos));
        }
        threads.forEach(Thread::start);
        long queries = 0;
        long mismatches = 0;
        for (Searcher t : threads) {
          t.join();
          if (t.failure != null) {
            throw t.failure;
          }
          queries += t.queries;
          mismatches += t.mismatches;
        }
        double searchSeconds = (System.nanoTime() - searchStart) / 1e9;
        System.out.printf("gil4j-metric docs %d 1%n", expected.docs);
        System.out.printf("gil4j-metric index_docs_per_s %.1f 1/s%n", expected.docs / indexSeconds);
        System.out.printf("gil4j-metric queries %d 1%n", queries);
        System.out.printf("gil4j-metric queries_per_s %.1f 1/s%n", queries / searchSeconds);
        System.out.printf("gil4j-metric mismatches %d 1%n", mismatches);
      }
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * Indexes for {@code nanos}, but at least {@value #MIN_DOCS} documents per indexer, and commits;
   * indexer {@code t} of {@code n} adds documents {@code t}, {@code t + n}, {@code t + 2n}, …
   *
   * @return how many documents each indexer added
   */
  private static int[] index(Directory directory, int indexers, long nanos) throws Exception {
    IndexWriterConfig config =
        new IndexWriterConfig(new StandardAnalyzer())
            .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
            .setMaxBufferedDocs(BUFFERED_DOCS);
    int[] added = new int[indexers];
    try (IndexWriter writer = new IndexWriter(directory, config)) {
      List<Thread> threads = new ArrayList<>();
      Exception[] failures = new Exception[indexers];
      long deadline = System.nanoTime() + nanos;
      for (int t = 0; t < indexers; t++) {
        int slot = t;
        threads.add(
            new Thread(
                () -> {
                  try {
                    while (added[slot] < MIN_DOCS || System.nanoTime() < deadline) {
                      writer.addDocument(document(slot + added[slot] * indexers));
                      added[slot]++;
                    }
                  } catch (Exception e) {
                    failures[slot] = e;
                  }
                },
                "lucene-indexer-" + t));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      for (Exception e : failures) {
        if (e != null) {
          throw e;
        }
      }
      writer.commit();
    }
    return added;
  }

  /** Document {@code d}: its number, stored, and its words. */
  private static Document document(int d) {
    StringBuilder text = new StringBuilder();
    for (int j = 0; j < WORDS_PER_DOC; j++) {
      text.append(word(wordOf(d, j))).append(' ');
    }
    Document doc = new Document();
    doc.add(new StringField("id", Integer.toString(d), Field.Store.YES));
    doc.add(new TextField(FIELD, text.toString(), Field.Store.NO));
    return doc;
  }

  /** The {@code j}th word of document {@code d}, as an index into the vocabulary. */
  static int wordOf(int d, int j) {
    long x = (d * 31L + j) * 0x9E3779B97F4A7C15L;
    return (int) ((x >>> 40) % VOCABULARY);
  }

  static String word(int w) {
    return "w" + w;
  }

  /** The words of each document as a bit mask, and the hit counts that follow from them. */
  static final class Expected {
    final int docs;
    final long[] masks;
    final int[][] both = new int[VOCABULARY][VOCABULARY];

    /** For the documents that indexer {@code t} of {@code added.length} added {@code added[t]}. */
    Expected(int[] added) {
      int indexers = added.length;
      int docs = 0;
      int ids = 0;
      for (int t = 0; t < indexers; t++) {
        docs += added[t];
        ids = Math.max(ids, t + added[t] * indexers);
      }
      this.docs = docs;
      masks = new long[ids];
      for (int t = 0; t < indexers; t++) {
        for (int k = 0; k < added[t]; k++) {
          add(t + k * indexers);
        }
      }
    }

    private void add(int d) {
      for (int j = 0; j < WORDS_PER_DOC; j++) {
        masks[d] |= 1L << wordOf(d, j);
      }
      for (int a = 0; a < VOCABULARY; a++) {
        if ((masks[d] & 1L << a) == 0) {
          continue;
        }
        for (int b = 0; b < VOCABULARY; b++) {
          if ((masks[d] & 1L << b) != 0) {
            both[a][b]++;
          }
        }
      }
    }
  }

  /** Runs queries until the deadline, counting those whose results break the rules. */
  private static final class Searcher extends Thread {
    private final int id;
    private final IndexSearcher searcher;
    private final Expected expected;
    private final long deadline;
    long queries;
    long mismatches;
    Exception failure;

    Searcher(int id, IndexSearcher searcher, Expected expected, long deadline) {
      super("lucene-searcher-" + id);
      this.id = id;
      this.searcher = searcher;
      this.expected = expected;
      this.deadline = deadline;
    }

    @Override
    public void run() {
      try {
        StoredFields stored = searcher.storedFields();
        while (System.nanoTime() < deadline) {
          int a = (int) ((queries * 7 + id) % VOCABULARY);
          int b = queries % 2 == 0 ? a : (int) ((queries * 13 + id * 5 + 1) % VOCABULARY);
          if (!check(a, b, stored)) {
            mismatches++;
          }
          queries++;
        }
      } catch (Exception e) {
        failure = e;
      }
    }

    private boolean check(int a, int b, StoredFields stored) throws IOException {
      Query query =
          a == b
              ? new TermQuery(new Term(FIELD, word(a)))
              : new BooleanQuery.Builder()
                  .add(new TermQuery(new Term(FIELD, word(a))), BooleanClause.Occur.MUST)
                  .add(new TermQuery(new Term(FIELD, word(b))), BooleanClause.Occur.MUST)
                  .build();
      int count = searcher.count(query);
      boolean ok = count == expected.both[a][b];
      long words = 1L << a | 1L << b;
      for (ScoreDoc hit : searcher.search(query, 5).scoreDocs) {
        int d = Integer.parseInt(stored.document(hit.doc).get("id"));
        ok &= (expected.masks[d] & words) == words;
      }
      if (!ok) {
        System.out.printf(
            "mismatch: %s found %d, expected %d%n", query, count, expected.both[a][b]);
      }
      return ok;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
