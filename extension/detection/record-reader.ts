/**
 * Reads one batch of MutationRecords for keys: the added subtrees, the changed text, the changed
 * `value`/`type`/`open` attributes. Text inputs and textareas it meets are handed to `remember`
 * (field-memory.ts), since a script may fill them later.
 *
 * It runs for every batch of changes on the dashboard, so its common path (nothing key-like)
 * allocates nothing: indexed loops, no closures, shared empty results. In the extension's isolated
 * world each node it touches costs a wrapper of its own, so it touches as few as it can: nodes
 * that a batch adds under one parent (a list growing a row at a time) are a run,
 * whose text is read once, through a Range, instead of node by node.
 */
import {
  endsKeyish,
  fieldsWithin,
  hasKeyishEdge,
  isElement,
  isInline,
  isKeyField,
  isText,
  keysInElementText,
  keysInField,
  lineAround,
  startsKeyish,
  type FoundKey,
  type KeyField,
} from './key-detector';
import { MAX_KEY_BODY } from '../../shared/keys.js';
import { mightContainKey } from './key-text';

const ELEMENT_NODE = 1;
/**
 * How far a key reaches: its prefix and longest body, with room for the invisible characters a
 * page may put inside it to wrap it.
 */
const KEY_REACH = 2 * (8 + MAX_KEY_BODY);
/** From this many nodes in one run on, their parent is asked once whether it holds fields at all. */
const MANY_NODES = 64;

/** Whether any text input or textarea is inside: one native query per tag name, as fieldsWithin. */
function hasFields(parent: ParentNode): boolean {
  return parent.querySelector('input') !== null || parent.querySelector('textarea') !== null;
}

export type RecordReaderOptions = {
  document: Document;
  /** Our own UI, never looked into. */
  isOwnNode(node: Node): boolean;
  remember(field: KeyField): void;
};

export function createRecordReader({ document, isOwnNode, remember }: RecordReaderOptions) {
  let batchFound: FoundKey[] | null = null;
  let batchScopes: Set<Element> | null = null;
  /** Nodes a batch added under one parent, as the records' lists of added nodes, in record order. */
  const run: NodeList[] = [];
  let runLength = 0;
  let runParent: Node | null = null;
  let runRange: Range | null = null;

  function report(keys: readonly FoundKey[]): void {
    if (keys.length === 0) return;
    batchFound ??= [];
    for (let i = 0; i < keys.length; i++) batchFound.push(keys[i]);
  }

  function readScope(scope: Element | null): void {
    if (!scope) return;
    batchScopes ??= new Set();
    if (batchScopes.has(scope)) return;
    batchScopes.add(scope);
    report(keysInElementText(scope));
  }

  function readField(field: KeyField): void {
    report(keysInField(field));
    remember(field);
  }

  function readText(text: Text): void {
    const parent = text.parentElement;
    if (!parent || isOwnNode(parent)) return;
    if (parent.localName === 'textarea') readField(parent as HTMLTextAreaElement);
    else if (mightContainKey(text.data)) readScope(lineAround(text) ?? parent);
    else if (hasKeyishEdge(text.data)) readScope(lineAround(text));
  }

  /** The keys in an element's text, and in the line around it when its text may continue a key. */
  function readElementText(element: Element): void {
    const text = element.textContent ?? '';
    const keys = keysInElementText(element, text);
    report(keys);
    if (keys.length === 0 && isInline(element) && hasKeyishEdge(text)) readScope(lineAround(element));
  }

  function readFieldsWithin(element: Element): void {
    if (element.childElementCount === 0) return; // no inputs inside: spare the query
    const fields = fieldsWithin(element);
    for (let i = 0; i < fields.length; i++) readField(fields[i]);
  }

  /** Every node of the run, in order (the visitors are made once: nothing allocated per run). */
  function eachRunNode(visit: (node: Node) => void): void {
    for (let i = 0; i < run.length; i++) {
      const added = run[i];
      for (let j = 0; j < added.length; j++) visit(added[j]);
    }
  }

  /** A node's text, read on its own: a run of one, a run that moved since, or a run whose text holds a possible key. */
  function readNodeText(node: Node): void {
    if (isText(node)) readText(node);
    else if (isElement(node) && !isOwnNode(node) && !isKeyField(node)) readElementText(node);
  }

  /** A field the run added, or the fields within a node it added. */
  function readNodeFields(node: Node): void {
    if (node.nodeType !== ELEMENT_NODE || isOwnNode(node)) return;
    const name = (node as Element).localName;
    if (name !== 'input' && name !== 'textarea') readFieldsWithin(node as Element);
    else if (isKeyField(node)) readField(node);
  }

  /** Whether a node's text runs on into its neighbours' on screen (a text node, a `<span>`…). */
  function continues(node: Node): boolean {
    return isText(node) || (isElement(node) && isInline(node));
  }

  /**
   * Whether a key may run across the run's edge at `edge` (its first node, or its last) into the
   * neighbours on that side. In a block (a feed, a list) only the neighbours whose text runs on
   * into the edge's can hold the rest of such a key, and only their nearest KEY_REACH characters:
   * those are read, rather than the whole block — which, for a feed that grows a fragment at a
   * time, is everything added so far. In an inline parent the key may go on beyond it: yes.
   */
  function mayRunAcross(edge: Node, text: string, before: boolean): boolean {
    const parent = edge.parentElement;
    if (!parent || isInline(parent)) return true;
    let beside = '';
    for (let node = before ? edge.previousSibling : edge.nextSibling; node && continues(node) && beside.length < KEY_REACH; ) {
      const own = node.textContent ?? '';
      beside = before ? own + beside : beside + own;
      node = before ? node.previousSibling : node.nextSibling;
    }
    if (beside === '') return false;
    return before ? mightContainKey(beside.slice(-KEY_REACH) + text.slice(0, KEY_REACH)) : mightContainKey(text.slice(-KEY_REACH) + beside.slice(0, KEY_REACH));
  }

  function readRun(): void {
    const first = run[0][0];
    const lastAdded = run[run.length - 1];
    const last = lastAdded[lastAdded.length - 1];
    const parent = first.parentNode;
    const oneParent = parent !== null && parent === last.parentNode;
    // The text inputs and textareas it added. Many nodes under one parent without fields (a feed's
    // next page, a table growing a row at a time): the parent is asked once, and none of them is
    // touched one by one — every node the isolated world touches costs a wrapper.
    if (runLength < MANY_NODES || !oneParent || hasFields(parent)) eachRunNode(readNodeFields);
    let text: string | null = null;
    if (runLength > 1 && oneParent) {
      runRange ??= document.createRange();
      // Inside the edge nodes, not around them: a boundary around a node is its index in the
      // parent, which a feed of thousands of children makes the browser count.
      // From the first node added to the last: anything the page left between them is read too
      // (harmless: a key is offered once per page). Added out of order, the range is empty, and
      // the nodes are read one by one.
      runRange.setStart(first, 0);
      runRange.setEnd(last, isText(last) ? last.data.length : last.childNodes.length);
      if (!runRange.collapsed) text = runRange.toString();
      runRange.collapse(); // let go of the page's nodes until the next run
    }
    if (text === null || mightContainKey(text)) eachRunNode(readNodeText);
    else {
      // A key split across nodes may run on from the run's first or last node into a neighbour.
      if (continues(first) && startsKeyish(text) && mayRunAcross(first, text, true)) readScope(lineAround(first));
      if (continues(last) && endsKeyish(text) && mayRunAcross(last, text, false)) readScope(lineAround(last));
    }
    run.length = 0;
    runLength = 0;
    runParent = null;
  }

  /** The keys in one batch of records; null when there are none. */
  function read(records: ArrayLike<MutationRecord>): FoundKey[] | null {
    batchFound = null;
    batchScopes = null;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const type = record.type;
      if (type === 'childList') {
        const added = record.addedNodes;
        const count = added.length;
        if (count === 0) continue;
        // Nodes added under the run's parent are read with it.
        const parent = record.target;
        if (run.length > 0 && parent !== runParent) readRun();
        run.push(added);
        runLength += count;
        runParent = parent;
        // The fields among and within the added nodes are read with the run (readRun).
      } else if (type === 'characterData') {
        if (isText(record.target)) readText(record.target);
      } else if (type === 'attributes') {
        const target = record.target;
        if (isKeyField(target)) readField(target);
        else if (record.attributeName === 'open' && isElement(target) && target.hasAttribute('open') && !isOwnNode(target)) {
          // A <dialog> shown with showModal(): read it once.
          readElementText(target);
          readFieldsWithin(target);
        }
      }
    }
    if (run.length > 0) readRun();
    const found = batchFound;
    batchFound = null;
    batchScopes = null;
    return found;
  }

  return { read };
}
