using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Broker.Analyzers.Topics
{
    /// <summary>
    /// What is known at compile time about a topic string: either the whole constant (literal, const field, constant
    /// interpolation or concatenation) or, for interpolations and concatenations with run-time holes, its constant
    /// pieces. Also remembers the source text that spells the topic's beginning, so a code fix can rewrite it.
    /// </summary>
    internal sealed class TopicValue
    {
        private TopicValue(string head, bool isComplete, List<Piece>? pieces, SyntaxNode? editNode, int editLength)
        {
            Head = head;
            IsComplete = isComplete;
            Pieces = pieces;
            EditNode = editNode;
            EditLength = editLength;
        }

        /// <summary>The constant text the topic starts with; the whole topic when <see cref="IsComplete"/>.</summary>
        public string Head { get; }

        /// <summary>True when the whole topic is a compile-time constant.</summary>
        public bool IsComplete { get; }

        /// <summary>For partial values: constant pieces and holes (null text) in order; null for complete values.</summary>
        public List<Piece>? Pieces { get; }

        /// <summary>
        /// A string literal or interpolated-string text that spells the first <see cref="EditLength"/> characters of the
        /// topic and can be rewritten by a code fix, or null.
        /// </summary>
        public SyntaxNode? EditNode { get; }

        /// <summary>How many leading characters of the topic <see cref="EditNode"/> spells.</summary>
        public int EditLength { get; }

        /// <summary>The topic for messages: the constant, or the pieces with <c>{...}</c> for run-time holes.</summary>
        public string Display
        {
            get
            {
                if (IsComplete || Pieces is null)
                {
                    return Head;
                }

                var text = new StringBuilder();
                foreach (Piece piece in Pieces)
                {
                    text.Append(piece.Text ?? "{...}");
                }

                return text.ToString();
            }
        }

        /// <summary>Evaluates a topic operation; null when nothing about it is known (or it is the null constant).</summary>
        public static TopicValue? Evaluate(IOperation operation, System.Threading.CancellationToken cancellationToken)
        {
            operation = Unwrap(operation);
            if (operation.ConstantValue.HasValue)
            {
                if (operation.ConstantValue.Value is not string constant)
                {
                    return null;
                }

                SyntaxNode? editNode = FindLiteral(operation, cancellationToken);
                return new TopicValue(constant, isComplete: true, null, editNode, editNode is null ? 0 : constant.Length);
            }

            var pieces = new List<Piece>();
            if (!Flatten(operation, pieces, cancellationToken) || pieces.Count == 0)
            {
                return null;
            }

            // Merge adjacent constant pieces so checks like '//' see across an interpolated constant.
            var merged = new List<Piece>(pieces.Count);
            foreach (Piece piece in pieces)
            {
                int last = merged.Count - 1;
                if (last >= 0 && piece.Text is not null && merged[last].Text is not null)
                {
                    merged[last] = new Piece(merged[last].Text + piece.Text, merged[last].EditNode);
                }
                else
                {
                    merged.Add(piece);
                }
            }

            string head = merged[0].Text ?? string.Empty;
            SyntaxNode? firstEdit = pieces[0].EditNode;
            int editLength = firstEdit is null ? 0 : pieces[0].Text!.Length;
            return new TopicValue(head, isComplete: false, merged, firstEdit, editLength);
        }

        private static IOperation Unwrap(IOperation operation)
        {
            while (operation is IConversionOperation { IsImplicit: true } conversion)
            {
                operation = conversion.Operand;
            }

            while (operation is IParenthesizedOperation parenthesized)
            {
                operation = parenthesized.Operand;
            }

            return operation;
        }

        // Splits "a" + x + $"b{y}" into constant pieces and holes. Returns false for shapes we do not follow.
        private static bool Flatten(IOperation operation, List<Piece> pieces, System.Threading.CancellationToken cancellationToken)
        {
            operation = Unwrap(operation);
            if (operation.ConstantValue.HasValue)
            {
                if (operation.ConstantValue.Value is string text)
                {
                    pieces.Add(new Piece(text, FindLiteral(operation, cancellationToken)));
                }
                else
                {
                    pieces.Add(new Piece(null, null)); // e.g. a constant number: formatted at run time
                }

                return true;
            }

            switch (operation)
            {
                case IInterpolatedStringOperation interpolated:
                    bool editable = interpolated.Syntax is InterpolatedStringExpressionSyntax syntax
                        && syntax.StringStartToken.IsKind(SyntaxKind.InterpolatedStringStartToken);
                    foreach (IInterpolatedStringContentOperation part in interpolated.Parts)
                    {
                        if (part is IInterpolatedStringTextOperation textPart && textPart.Text.ConstantValue.Value is string partText)
                        {
                            pieces.Add(new Piece(partText, editable ? textPart.Syntax as InterpolatedStringTextSyntax : null));
                        }
                        else if (part is IInterpolationOperation hole
                            && hole.Alignment is null && hole.FormatString is null
                            && hole.Expression.ConstantValue.HasValue && hole.Expression.ConstantValue.Value is string holeText)
                        {
                            pieces.Add(new Piece(holeText, null));
                        }
                        else
                        {
                            pieces.Add(new Piece(null, null));
                        }
                    }

                    return true;

                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } binary
                    when binary.Type?.SpecialType == SpecialType.System_String:
                    return Flatten(binary.LeftOperand, pieces, cancellationToken)
                        && Flatten(binary.RightOperand, pieces, cancellationToken);

                default:
                    pieces.Add(new Piece(null, null));
                    return true;
            }
        }

        // The literal that spells a constant: the literal itself, or a source const field's literal initializer.
        private static SyntaxNode? FindLiteral(IOperation operation, System.Threading.CancellationToken cancellationToken)
        {
            if (operation is ILiteralOperation && IsRegularStringLiteral(operation.Syntax))
            {
                return operation.Syntax;
            }

            if (operation is IFieldReferenceOperation { Field: { IsConst: true } field }
                && field.DeclaringSyntaxReferences.Length == 1
                && field.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is VariableDeclaratorSyntax declarator
                && declarator.Initializer?.Value is { } initializer
                && IsRegularStringLiteral(initializer))
            {
                return initializer;
            }

            return null;
        }

        private static bool IsRegularStringLiteral(SyntaxNode node)
        {
            return node is LiteralExpressionSyntax literal && literal.Token.IsKind(SyntaxKind.StringLiteralToken);
        }

        /// <summary>One constant piece (or a run-time hole, when <see cref="Text"/> is null).</summary>
        internal readonly struct Piece
        {
            public Piece(string? text, SyntaxNode? editNode)
            {
                Text = text;
                EditNode = editNode;
            }

            public string? Text { get; }

            public SyntaxNode? EditNode { get; }
        }
    }
}
