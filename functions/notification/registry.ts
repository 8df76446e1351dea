/**
 * The citizen registry read model: synthetic citizens (50,000 by default, the city's census)
 * with a zone, a preferred language and channel. Contact details stay in this table — they
 * never travel on the bus; events carry counts only. Per zone: chunks of citizens and a
 * summary document (counts), so segmenting a zone is one read, not 50,000.
 */
import { seededRandom } from "../shared/backoff.ts";
import { DocumentConflictError, type DocumentStore } from "../shared/documents.ts";

/** The census (matches the city simulator's zones); sums to 50,000. */
export const CENSUS: Readonly<Record<string, number>> = {
  z1: 7200,
  z2: 5400,
  z3: 8100,
  z4: 6300,
  z5: 5800,
  z6: 3200,
  z7: 7600,
  z8: 6400,
};

export const LANGUAGES = ["en", "nl", "de", "fr"] as const;
export type Language = (typeof LANGUAGES)[number];
export const CHANNELS = ["sms", "push"] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Citizen {
  readonly id: string;
  /** Synthetic, never a real number; never leaves this table. */
  readonly phone: string;
  readonly language: Language;
  readonly channel: Channel;
}

export interface ZoneSummary {
  readonly zone: string;
  readonly count: number;
  readonly byLanguage: Readonly<Record<Language, number>>;
  readonly byChannel: Readonly<Record<Channel, number>>;
}

export const CHUNK_SIZE = 500;
/** Parallel writes while seeding (cold start of the notification function). */
const SEED_CONCURRENCY = 16;
const META = { pk: "citizens#registry", sk: "meta" };

export class CitizenRegistry {
  /** The generated registry, built once per container (50,000 citizens). */
  private generated: ReturnType<CitizenRegistry["build"]> | undefined;
  /** Set once every chunk is written: later calls cost nothing. */
  private complete = false;

  constructor(
    private readonly docs: DocumentStore,
    private readonly census: Readonly<Record<string, number>> = CENSUS,
    private readonly seed = 2026,
  ) {}

  /**
   * Seeds the zone summaries once (what segmenting needs, so the first alert is not delayed);
   * the citizens themselves are written by `seedChunks`, a few chunks per call. Deterministic,
   * so concurrent seeders write the same data.
   */
  async ensureSeeded(): Promise<void> {
    if (await this.docs.get(META.pk, META.sk)) return;
    const { summaries } = this.generate();
    await Promise.all(summaries.map((s) => putOnce(this.docs, `citizens#${s.zone}`, "summary", s)));
    const total = summaries.reduce((n, s) => n + s.count, 0);
    await putOnce(this.docs, META.pk, META.sk, { total, zones: Object.keys(this.census) });
  }

  /** Writes up to `max` citizen chunks not written yet; returns how many remain. */
  async seedChunks(max = 25): Promise<number> {
    if (this.complete) return 0;
    const progress = await this.docs.get<{ next: number }>(META.pk, "chunks");
    const next = progress?.value.next ?? 0;
    const { chunks } = this.generate();
    if (next >= chunks.length) {
      this.complete = true;
      this.generated = undefined; // not needed any more
      return 0;
    }
    const batch = chunks.slice(next, next + max);
    for (let i = 0; i < batch.length; i += SEED_CONCURRENCY) {
      await Promise.all(
        batch
          .slice(i, i + SEED_CONCURRENCY)
          .map((c) => putOnce(this.docs, `citizens#${c.zone}`, c.sk, c.citizens)),
      );
    }
    if (batch.length > 0) {
      try {
        await this.docs.put(
          META.pk,
          "chunks",
          { next: next + batch.length },
          progress?.version ?? 0,
        );
      } catch (error) {
        if (!(error instanceof DocumentConflictError)) throw error; // another seeder advanced it
      }
    }
    return chunks.length - next - batch.length;
  }

  /** The whole synthetic registry, from the seed (same every time), generated once. */
  private generate(): ReturnType<CitizenRegistry["build"]> {
    this.generated ??= this.build();
    return this.generated;
  }

  private build(): {
    summaries: ZoneSummary[];
    chunks: { zone: string; sk: string; citizens: Citizen[] }[];
  } {
    const random = seededRandom(this.seed);
    const summaries: ZoneSummary[] = [];
    const chunks: { zone: string; sk: string; citizens: Citizen[] }[] = [];
    for (const [zone, population] of Object.entries(this.census)) {
      const byLanguage = { en: 0, nl: 0, de: 0, fr: 0 };
      const byChannel = { sms: 0, push: 0 };
      for (let start = 0; start < population; start += CHUNK_SIZE) {
        const citizens: Citizen[] = [];
        for (let n = start; n < Math.min(population, start + CHUNK_SIZE); n++) {
          const language = LANGUAGES[Math.floor(random() * LANGUAGES.length)] ?? "en";
          const channel = random() < 0.6 ? "sms" : "push";
          byLanguage[language] += 1;
          byChannel[channel] += 1;
          citizens.push({
            id: `c-${zone}-${n + 1}`,
            phone: `+999-${zone.slice(1).padStart(2, "0")}-${String(n + 1).padStart(6, "0")}`,
            language,
            channel,
          });
        }
        chunks.push({ zone, sk: `chunk#${String(start / CHUNK_SIZE).padStart(4, "0")}`, citizens });
      }
      summaries.push({ zone, count: population, byLanguage, byChannel });
    }
    return { summaries, chunks };
  }

  /** The citizens of a zone (for the SMS provider's side; never put on the bus). */
  async citizens(zone: string): Promise<Citizen[]> {
    return (await this.docs.list<Citizen[]>(`citizens#${zone}`))
      .filter((d) => d.sk.startsWith("chunk#"))
      .flatMap((d) => d.value);
  }

  /** The zone's segment (counts); an unknown zone has no citizens. */
  async zone(zone: string): Promise<ZoneSummary> {
    const s = await this.docs.get<ZoneSummary>(`citizens#${zone}`, "summary");
    return (
      s?.value ?? {
        zone,
        count: 0,
        byLanguage: { en: 0, nl: 0, de: 0, fr: 0 },
        byChannel: { sms: 0, push: 0 },
      }
    );
  }
}

async function putOnce<T>(docs: DocumentStore, pk: string, sk: string, value: T): Promise<void> {
  try {
    await docs.put(pk, sk, value, 0);
  } catch (error) {
    if (!(error instanceof DocumentConflictError)) throw error; // already seeded: same data
  }
}
