/** One stored event, with external ids (read back by the store, the activity views and the web app). */
export interface StoredEvent {
  user: string;
  item: string;
  type: string;
  value: number;
  timestamp: number;
  ingestedAt: number;
}
