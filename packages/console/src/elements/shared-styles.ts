import { css } from 'lit';

/** Tiles, tables, buttons and messages, shared by the console's views. */
export const sharedStyles = css`
  :host {
    display: block;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  form#announce {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    max-width: 520px;
  }
  form#announce input {
    flex: 1 1 200px;
  }
  h2 {
    font-size: 16px;
    margin: 16px 0 8px;
  }
  .tiles {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(150px, 1fr));
    gap: 8px;
  }
  .tile {
    background: var(--panel);
    border: 1px solid var(--border);
    border-radius: 6px;
    padding: 8px 10px;
    min-width: 0;
  }
  .tile .label {
    font-size: 12px;
    color: var(--muted);
  }
  .tile .value {
    font-size: 20px;
    font-weight: 600;
    font-variant-numeric: tabular-nums;
    overflow-wrap: anywhere;
  }
  .tile .detail {
    font-size: 12px;
    color: var(--muted);
  }
  .charts {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 400px), 1fr));
    gap: 8px;
  }
  .table-wrap {
    overflow-x: auto;
    background: var(--panel);
    border: 1px solid var(--border);
    border-radius: 6px;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    text-align: left;
    padding: 6px 10px;
    border-bottom: 1px solid var(--border);
    white-space: nowrap;
  }
  tr:last-child td {
    border-bottom: none;
  }
  th {
    font-size: 12px;
    color: var(--muted);
    font-weight: 600;
  }
  th button {
    all: unset;
    cursor: pointer;
  }
  th button:focus-visible {
    outline: 2px solid var(--accent);
  }
  td.num,
  th.num {
    text-align: right;
  }
  .ok {
    color: var(--good);
  }
  .bad {
    color: var(--bad);
  }
  .alert {
    border: 1px solid var(--bad);
    color: var(--bad);
    background: var(--panel);
    border-radius: 6px;
    padding: 8px 10px;
    margin: 8px 0;
  }
  .notice {
    border: 1px solid var(--good);
    background: var(--panel);
    border-radius: 6px;
    padding: 8px 10px;
    margin: 8px 0;
  }
  button.action {
    font: inherit;
    padding: 4px 10px;
    border-radius: 4px;
    border: 1px solid var(--border);
    background: var(--panel);
    color: inherit;
    cursor: pointer;
  }
  button.danger {
    border-color: var(--bad);
    color: var(--bad);
  }
  input[type='search'],
  input[type='text'],
  input[type='password'] {
    font: inherit;
    padding: 6px 8px;
    border-radius: 4px;
    border: 1px solid var(--border);
    background: var(--panel);
    color: inherit;
    min-width: 0;
  }
  .muted {
    color: var(--muted);
  }
`;
