import { css, html, LitElement } from 'lit';

/** `<sb-confirm-dialog>`: a modal yes/no question; `ask()` resolves with the answer. */
export class ConfirmDialog extends LitElement {
  static override properties = { question: { state: true } };

  static override styles = css`
    dialog {
      border: 1px solid var(--border);
      border-radius: 8px;
      background: var(--panel);
      color: inherit;
      max-width: min(90vw, 420px);
    }
    .buttons {
      display: flex;
      gap: 8px;
      justify-content: flex-end;
      margin-top: 12px;
    }
    button {
      font: inherit;
      padding: 4px 12px;
      border-radius: 4px;
      border: 1px solid var(--border);
      background: var(--panel);
      color: inherit;
    }
    button[value='yes'] {
      border-color: var(--accent);
      background: var(--accent);
      color: white;
    }
  `;

  declare question: string;
  private answer: ((yes: boolean) => void) | undefined;

  constructor() {
    super();
    this.question = '';
  }

  /** Shows `question`; resolves true when confirmed, false when cancelled or dismissed. */
  async ask(question: string): Promise<boolean> {
    this.answer?.(false);
    this.question = question;
    await this.updateComplete;
    const dialog = this.renderRoot.querySelector('dialog');
    if (dialog) {
      // Escape closes without a button: the last answer must not stand in for this one.
      dialog.returnValue = '';
      dialog.showModal();
    }
    return new Promise((resolve) => (this.answer = resolve));
  }

  private close(event: Event): void {
    const dialog = event.target as HTMLDialogElement;
    this.answer?.(dialog.returnValue === 'yes');
    this.answer = undefined;
  }

  override render() {
    return html`<dialog @close=${(e: Event) => this.close(e)}>
      <form method="dialog">
        <p>${this.question}</p>
        <div class="buttons">
          <button value="no">Cancel</button>
          <button value="yes">Confirm</button>
        </div>
      </form>
    </dialog>`;
  }
}

customElements.define('sb-confirm-dialog', ConfirmDialog);
